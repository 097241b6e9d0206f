"""Dashboard tables: defined once, rendered as HTML and exported as CSV.

A `Table` holds raw values (ints, floats, Decimals, None); `kind` says how a column is
shown (a rate as a percentage, days with one decimal, money with the currency). Sorting
happens here on the few rows a table has (groups, campaigns, reps), never on lead rows.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import HttpResponse
from django.utils.text import slugify

from funnel import formatting
from marketing.exports import spreadsheet_text

INT, RATE, DAYS, MONEY, TEXT, RATIO = "int", "rate", "days", "money", "text", "ratio"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = INT
    # Rate columns may be shaded by their value (a heat map).
    shade: bool = False
    help: str = ""

    @property
    def numeric(self) -> bool:
        return self.kind != TEXT


@dataclass
class Table:
    name: str  # export key (?export=<name>)
    title: str
    columns: list[Column]
    rows: list[dict]
    footer: dict | None = None
    sortable: bool = False
    sort: str = ""
    note: str = ""
    extra: dict = field(default_factory=dict)

    def sorted_by(self, sort: str) -> Table:
        """Rows ordered by a column key ("-key" descending); nulls always last."""
        key = sort.lstrip("-")
        if not self.sortable or key not in {c.key for c in self.columns}:
            return self
        descending = sort.startswith("-")
        present = [r for r in self.rows if r.get(key) is not None]
        missing = [r for r in self.rows if r.get(key) is None]

        def value(row):
            v = row[key]
            return v.lower() if isinstance(v, str) else v

        present.sort(key=value, reverse=descending)
        self.rows = present + missing
        self.sort = sort
        return self

    def header(self) -> list[dict]:
        """Column headers with the sort link state for each."""
        heads = []
        for column in self.columns:
            key = column.key
            state = "asc" if self.sort == key else "desc" if self.sort == f"-{key}" else ""
            # First click sorts numbers high to low, names A to Z.
            first = key if column.kind == TEXT else f"-{key}"
            target = {"asc": f"-{key}", "desc": key}.get(state, first)
            heads.append({"column": column, "state": state, "next_sort": target})
        return heads

    def body(self) -> list[list[dict]]:
        return [self._cells(row) for row in self.rows]

    def foot(self) -> list[dict] | None:
        return self._cells(self.footer) if self.footer else None

    def _cells(self, row: dict) -> list[dict]:
        cells = []
        for column in self.columns:
            value = row.get(column.key)
            cell = {"text": display(value, column.kind), "numeric": column.numeric}
            if column.shade and value is not None:
                # Opacity follows the rate; text stays dark enough to read at any shade.
                cell["shade"] = f"{min(max(float(value), 0.0), 1.0) * 0.55:.3f}"
            if column.key == "label" and row.get("link"):
                cell["link"] = row["link"]
            cells.append(cell)
        return cells

    def csv_response(self, *, filename_hint: str) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        name = slugify(f"{self.name}-{filename_hint}") or self.name
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        writer = csv.writer(response)
        writer.writerow([csv_label(c) for c in self.columns])
        for row in [*self.rows, *([self.footer] if self.footer else [])]:
            writer.writerow([csv_value(row.get(c.key), c.kind) for c in self.columns])
        return response


def display(value, kind: str) -> str:
    """The screen's text, from the one formatter every page uses (funnel.formatting)."""
    if value is None:
        return formatting.EMPTY
    if kind == RATE:
        return formatting.percent_text(value)
    if kind == DAYS:
        return f"{float(value):.1f}"
    if kind == RATIO:
        return formatting.roi_text(value)
    if kind == MONEY:
        return formatting.money_text(Decimal(value))
    if kind == INT:
        return intcomma(value)
    return str(value)


# The CSV keeps exact figures (a spreadsheet rounds for itself); its header says so, and
# in which unit, so nobody compares "0.2531" with the screen's "25.3 %" unawares.
CSV_UNITS = {
    RATE: "fraction, exact",
    RATIO: "fraction, exact",
    DAYS: "days, exact",
}


def csv_label(column: Column) -> str:
    if column.kind == MONEY:
        return f"{column.label} ({formatting.currency()}, exact)"
    unit = CSV_UNITS.get(column.kind)
    return f"{column.label} ({unit})" if unit else column.label


def csv_value(value, kind: str):
    """Raw figures for spreadsheets: rates as fractions, no thousands separators, and a
    guard against formula injection in names (a cell starting with = + - @ is text)."""
    if value is None:
        return ""
    if kind == TEXT:
        return spreadsheet_text(str(value))
    if isinstance(value, float):
        return repr(value)
    return str(value)
