"""Uploading a campaign's spend as CSV: every line checked, then all lines or none.

Spend files are small (a line per day or invoice), so the whole file is checked before
anything is written, and every bad line is reported at once with its number.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import dateparse

from currencies.codes import company_currency, currency_code_clean
from funnel.metrics.window import site_today
from marketing.imports.reader import excel_separator
from marketing.models import Campaign, Spend
from marketing.services import (
    SpendLine,
    spend_amount_clean,
    spend_day_clean,
    spend_rate_errors,
    spend_record,
)

MAX_BYTES = 5 * 1024 * 1024
MAX_LINES = 50_000
DAY_NAMES = ("day", "date", "spend date")
AMOUNT_NAMES = ("amount", "cost", "spend", "value")
NOTE_NAMES = ("note", "notes", "description", "memo")
CURRENCY_NAMES = ("currency",)

# How amounts are written. AUTO follows the file: semicolon-separated files come from
# spreadsheets set to a decimal comma (Excel in most of Europe), others use a point.
AUTO, POINT, COMMA = "auto", "point", "comma"
NUMBER_FORMATS = [
    (AUTO, "As the file says (1.234,56 when separated by semicolons)"),
    (POINT, "1,234.56 (decimal point)"),
    (COMMA, "1.234,56 (decimal comma)"),
]
# An amount in each format: digits, or thousands in groups of three, with an optional
# decimal part of one or two digits. Amounts have at most two decimals, so a separator
# before three digits is a thousands separator and one before one or two the decimal
# mark: no text reads as two different amounts (it reads in one format, or in both as the
# same number, like 1234), and text that reads only in the other format is refused.
_AMOUNT = {
    POINT: re.compile(r"-?(\d+|\d{1,3}(,\d{3})+)(\.\d{1,2})?"),
    COMMA: re.compile(r"-?(\d+|\d{1,3}(\.\d{3})+)(,\d{1,2})?"),
}
_EXAMPLE = {POINT: "1,234.56", COMMA: "1.234,56"}


@dataclass(frozen=True)
class SpendFileError:
    line: int
    message: str


class SpendFileInvalid(ValidationError):
    def __init__(self, errors: list[SpendFileError]) -> None:
        self.errors_by_line = errors
        super().__init__([f"Line {e.line}: {e.message}" if e.line else e.message for e in errors])


def spend_import_csv(
    *,
    campaign: Campaign,
    upload: UploadedFile,
    actor: AbstractBaseUser | None = None,
    number_format: str = AUTO,
) -> list[Spend]:
    """Record every line of the file, or raise SpendFileInvalid listing what is wrong.
    `number_format` says how amounts are written (AUTO, POINT or COMMA)."""
    if upload.size > MAX_BYTES:
        raise SpendFileInvalid([SpendFileError(0, "Spend files are at most 5 MB.")])
    raw = upload.read()
    if b"\x00" in raw:
        raise SpendFileInvalid([SpendFileError(0, "This is a binary file, not CSV text.")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    lines, numbers, errors = _parse(text, number_format=number_format or AUTO)
    # Currencies without a rate on a line's day: one query for the whole file.
    for index, message in spend_rate_errors(lines).items():
        errors.append(
            SpendFileError(numbers[index], f"currency {lines[index].currency}: {message}")
        )
    if errors:
        raise SpendFileInvalid(sorted(errors, key=lambda e: e.line)[:100])
    return spend_record(campaign=campaign, lines=lines, actor=actor)


def _parse(
    text: str, *, number_format: str
) -> tuple[list[SpendLine], list[int], list[SpendFileError]]:
    """The file's lines, the line number of each, and the errors."""
    excel_sep = excel_separator(text)
    if excel_sep:
        delimiter = excel_sep
    else:
        sample = text[:4096]
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
    if number_format == AUTO:
        number_format = COMMA if delimiter == ";" else POINT
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    if excel_sep:
        next(reader)  # Line 1 is "sep=;": the header is line 2, and numbers stay the file's.
    try:
        header = [column.strip().lower() for column in next(reader, [])]
    except csv.Error as exc:
        return [], [], [SpendFileError(reader.line_num, f"broken quoting ({exc}).")]
    day_at = _find(header, DAY_NAMES)
    amount_at = _find(header, AMOUNT_NAMES)
    note_at = _find(header, NOTE_NAMES)
    if day_at is None or amount_at is None:
        message = "The header needs a day (or date) and an amount column."
        return [], [], [SpendFileError(reader.line_num, message)]
    columns = _Columns(day_at, amount_at, note_at, _find(header, CURRENCY_NAMES), number_format)
    lines: list[SpendLine] = []
    numbers: list[int] = []
    errors: list[SpendFileError] = []
    today = site_today()
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(SpendFileError(reader.line_num, f"broken quoting ({exc})."))
            continue
        if not any(value.strip() for value in row):
            continue
        if len(lines) + len(errors) >= MAX_LINES:
            errors.append(SpendFileError(reader.line_num, f"more than {MAX_LINES:,} lines."))
            break
        try:
            lines.append(_line(row, columns, today))
            numbers.append(reader.line_num)
        except ValidationError as exc:
            errors.append(SpendFileError(reader.line_num, " ".join(exc.messages)))
    if not lines and not errors:
        errors.append(SpendFileError(0, "The file has no spend lines."))
    return lines, numbers, errors


def _find(header: list[str], names: tuple[str, ...]) -> int | None:
    return next((i for i, column in enumerate(header) if column in names), None)


@dataclass(frozen=True)
class _Columns:
    day: int
    amount: int
    note: int | None
    currency: int | None
    number_format: str


def _line(row: list[str], columns: _Columns, today: date) -> SpendLine:
    def cell(index: int | None) -> str:
        return row[index].strip() if index is not None and index < len(row) else ""

    day_text = cell(columns.day)
    try:
        day = dateparse.parse_date(day_text)
    except ValueError:
        day = None
    if day is None:
        raise ValidationError(f"day {day_text[:40]!r} is not a date like 2025-03-31.")
    try:
        spend_day_clean(day, today=today)
    except ValidationError as exc:
        raise ValidationError(f"day {day_text}: {' '.join(exc.messages)}") from None
    currency = cell(columns.currency)
    try:
        # An empty cell (or no column) is the company currency.
        currency = currency_code_clean(currency) if currency else company_currency()
    except ValidationError as exc:
        raise ValidationError(f"currency: {' '.join(exc.messages)}") from None
    amount = spend_amount_clean(amount_parse(cell(columns.amount), columns.number_format))
    note = cell(columns.note)
    if len(note) > 300:
        raise ValidationError("the note is longer than 300 characters.")
    return SpendLine(day=day, amount=amount, note=note, currency=currency)


def amount_parse(text: str, number_format: str) -> Decimal:
    """An amount written in `number_format` (POINT or COMMA). One written only in the
    other format is refused, never re-read: "25,50" must not become 2550.00."""
    if _AMOUNT[number_format].fullmatch(text):
        group, mark = (",", ".") if number_format == POINT else (".", ",")
        return Decimal(text.replace(group, "").replace(mark, "."))
    other = COMMA if number_format == POINT else POINT
    if _AMOUNT[other].fullmatch(text):
        raise ValidationError(
            f"amount {text!r} is ambiguous: this file's amounts are read as "
            f"{_EXAMPLE[number_format]}, and it reads only as {_EXAMPLE[other]}. "
            "Choose the number format the file uses and upload it again."
        )
    raise ValidationError(f"amount {text[:40]!r} is not an amount like {_EXAMPLE[number_format]}.")
