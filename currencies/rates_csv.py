"""Importing rates from CSV: every line checked, then all lines or none, each bad line
reported with its number. Columns: currency, day (or date), rate. Nothing is fetched
from outside: the file is the source."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils import dateparse

from currencies.services import (
    RateLine,
    rate_currency_clean,
    rate_day_clean,
    rate_value_clean,
    rates_save,
)
from funnel.metrics.window import site_today

MAX_BYTES = 2 * 1024 * 1024
MAX_LINES = 20_000
MAX_ERRORS = 100
CURRENCY_NAMES = ("currency", "code")
DAY_NAMES = ("day", "date")
RATE_NAMES = ("rate",)


@dataclass(frozen=True)
class RateImport:
    created: int
    updated: int


class RateFileInvalid(ValidationError):
    """Raised with one message per bad line, "Line N: ...", in file order."""


def rates_import_csv(*, raw: bytes, actor: AbstractBaseUser | None) -> RateImport:
    if len(raw) > MAX_BYTES:
        raise RateFileInvalid(["Rate files are at most 2 MB."])
    if b"\x00" in raw:
        raise RateFileInvalid(["This is a binary file, not CSV text."])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    lines, errors = _parse(text)
    if errors:
        raise RateFileInvalid(errors[:MAX_ERRORS])
    _, created, updated = rates_save(lines=lines, actor=actor)
    return RateImport(created=created, updated=updated)


def _parse(text: str) -> tuple[list[RateLine], list[str]]:
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    try:
        header = [column.strip().lower() for column in next(reader, [])]
    except csv.Error as exc:
        return [], [f"Line 1: broken quoting ({exc})."]
    at = [_find(header, names) for names in (CURRENCY_NAMES, DAY_NAMES, RATE_NAMES)]
    if None in at:
        return [], ["Line 1: the header needs currency, day (or date) and rate columns."]
    lines: list[RateLine] = []
    errors: list[str] = []
    seen: dict[tuple[str, object], int] = {}
    today = site_today()
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(f"Line {reader.line_num}: broken quoting ({exc}).")
            continue
        if not any(value.strip() for value in row):
            continue
        number = reader.line_num
        if len(lines) + len(errors) >= MAX_LINES:
            errors.append(f"Line {number}: more than {MAX_LINES:,} lines.")
            break
        try:
            line = _line(row, at, delimiter, today)
        except ValidationError as exc:
            errors.append(f"Line {number}: {' '.join(exc.messages)}")
            continue
        key = (line.currency, line.day)
        if key in seen:
            errors.append(
                f"Line {number}: {line.currency} on {line.day:%Y-%m-%d} is already on "
                f"line {seen[key]}."
            )
            continue
        seen[key] = number
        lines.append(line)
    if not lines and not errors:
        errors.append("The file has no rate lines.")
    return lines, errors


def _find(header: list[str], names: tuple[str, ...]) -> int | None:
    return next((i for i, column in enumerate(header) if column in names), None)


def _line(row: list[str], at: list[int], delimiter: str, today) -> RateLine:
    def cell(index: int) -> str:
        return row[index].strip() if index < len(row) else ""

    currency = rate_currency_clean(cell(at[0]))
    day_text = cell(at[1])
    try:
        day = dateparse.parse_date(day_text)
    except ValueError:
        day = None
    if day is None:
        raise ValidationError(f"day {day_text[:40]!r} is not a date like 2027-03-31.")
    rate_day_clean(day, today=today)
    rate_text = cell(at[2])
    # Semicolon-separated files come from spreadsheets with a decimal comma.
    if delimiter == ";" and "." not in rate_text:
        rate_text = rate_text.replace(",", ".")
    return RateLine(currency=currency, day=day, rate=rate_value_clean(rate_text))
