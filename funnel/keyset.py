"""Keyset ("cursor") pagination for HTML lists.

A page is "the rows after (or before) the last row seen" in a total order that ends with
the primary key, so page 10,000 costs what page 1 costs and nothing counts the whole
table. The API has DRF's CursorPagination; HTML lists use this, with any sort order.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet

NEXT = "n"
PREVIOUS = "p"


@dataclass(frozen=True)
class KeysetPage:
    rows: list[Any]
    next_cursor: str | None
    previous_cursor: str | None

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor)


def keyset_page(
    queryset: QuerySet,
    *,
    ordering: tuple[str, ...],
    cursor: str | None,
    page_size: int,
) -> KeysetPage:
    """One page of `queryset` in `ordering` (Django order_by terms, ending with the pk),
    starting after `cursor` (or before it, for a "previous" cursor). An unreadable cursor
    gives the first page rather than an error: it usually comes from an edited URL."""
    fields = [_parse_term(term) for term in ordering]
    position = _decode(cursor, queryset.model, [name for name, _ in fields])
    if position is None:
        rows = list(queryset.order_by(*ordering)[: page_size + 1])
        more = len(rows) > page_size
        rows = rows[:page_size]
        return KeysetPage(
            rows=rows,
            next_cursor=_encode(NEXT, rows[-1], fields) if more else None,
            previous_cursor=None,
        )

    direction, values = position
    if direction == NEXT:
        page = queryset.filter(_beyond(fields, values, forward=True)).order_by(*ordering)
        rows = list(page[: page_size + 1])
        more = len(rows) > page_size
        rows = rows[:page_size]
        if not rows:
            return keyset_page(queryset, ordering=ordering, cursor=None, page_size=page_size)
        return KeysetPage(
            rows=rows,
            next_cursor=_encode(NEXT, rows[-1], fields) if more else None,
            previous_cursor=_encode(PREVIOUS, rows[0], fields),
        )

    reversed_ordering = [_flip(term) for term in ordering]
    page = queryset.filter(_beyond(fields, values, forward=False)).order_by(*reversed_ordering)
    rows = list(page[: page_size + 1])
    more = len(rows) > page_size
    rows = list(reversed(rows[:page_size]))
    if not rows:
        return keyset_page(queryset, ordering=ordering, cursor=None, page_size=page_size)
    return KeysetPage(
        rows=rows,
        next_cursor=_encode(NEXT, rows[-1], fields),
        previous_cursor=_encode(PREVIOUS, rows[0], fields) if more else None,
    )


def bounded_count(queryset: QuerySet, *, limit: int) -> int:
    """COUNT over at most `limit + 1` rows: enough to print "1,000+" without scanning a
    million. The caller shows "<limit>+" when the result exceeds `limit`."""
    return queryset.order_by().values("pk")[: limit + 1].count()


def _parse_term(term: str) -> tuple[str, bool]:
    return (term[1:], True) if term.startswith("-") else (term, False)


def _flip(term: str) -> str:
    return term[1:] if term.startswith("-") else f"-{term}"


def _beyond(fields: list[tuple[str, bool]], values: list[Any], *, forward: bool) -> Q:
    """Rows strictly after `values` in the ordering (before it when not `forward`).

    The expanded OR form works on every database; the extra bound on the first column
    (`>=`/`<=`) is what lets the database start an index range scan at the cursor
    instead of walking from the top of the index.
    """
    condition = Q()
    for i, (name, descending) in enumerate(fields):
        goes_down = descending == forward
        step = Q(**{f"{name}__{'lt' if goes_down else 'gt'}": values[i]})
        for j in range(i):
            step &= Q(**{fields[j][0]: values[j]})
        condition |= step
    first, first_descending = fields[0]
    first_goes_down = first_descending == forward
    bound = Q(**{f"{first}__{'lte' if first_goes_down else 'gte'}": values[0]})
    return bound & condition


def _encode(direction: str, row: Model, fields: list[tuple[str, bool]]) -> str:
    values = [_jsonable(getattr(row, name)) for name, _ in fields]
    raw = json.dumps([direction, values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _jsonable(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _decode(cursor: str | None, model: type[Model], names: list[str]) -> tuple[str, list] | None:
    if not cursor or len(cursor) > 1000:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        direction, values = json.loads(raw)
        if direction not in (NEXT, PREVIOUS) or len(values) != len(names):
            return None
        typed = [
            model._meta.get_field(name).to_python(value)
            for name, value in zip(names, values, strict=True)
        ]
    except (ValueError, TypeError, binascii.Error, ValidationError, UnicodeDecodeError):
        return None
    # NUL cannot be sent to PostgreSQL; None has no place in a total order.
    if any(value is None or (isinstance(value, str) and "\x00" in value) for value in typed):
        return None
    return direction, typed
