"""Request body parsers for the whole API (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"])."""

from django.http import QueryDict
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, plus: a body nested deeper than Python's recursion limit
    (`[[[[...]]]]`, a few hundred kilobytes) is a 400 like any other bad JSON, not a
    RecursionError and a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None


class SingleValueQueryDict(QueryDict):
    """A form body where a key sent more than once is an error when read as one value.

    Django's QueryDict quietly keeps the last of `a=1&a=2`, so a schema-violating body
    was accepted. List fields (ListField, MultipleChoiceField, many related) read with
    `getlist` and still take repeated keys; a serializer reads every other field with
    `data[name]`, which here raises a 400 naming the field.
    """

    def __getitem__(self, key):
        values = self.getlist(key)
        if len(values) > 1:
            raise ValidationError(
                {key: [f"Sent {len(values)} times: give this field one value."]},
                code="repeated",
            )
        return super().__getitem__(key)


def _single_valued(data: QueryDict) -> SingleValueQueryDict:
    strict = SingleValueQueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        strict.setlist(key, values)
    strict._mutable = False
    return strict


class FormParser(parsers.FormParser):
    """DRF's form parser, with repeated keys refused for single-value fields."""

    def parse(self, stream, media_type=None, parser_context=None):
        return _single_valued(super().parse(stream, media_type, parser_context))


class MultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser, with repeated keys refused for single-value fields (files
    too: the request's data merges them in)."""

    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        return parsers.DataAndFiles(_single_valued(parsed.data), parsed.files)
