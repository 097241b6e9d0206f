"""Request body parsers for the whole API (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"])."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, plus: a body nested deeper than Python's recursion limit
    (`[[[[...]]]]`, a few hundred kilobytes) is a 400 like any other bad JSON, not a
    RecursionError and a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
