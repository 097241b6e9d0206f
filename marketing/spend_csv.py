"""Uploading a campaign's spend as CSV: every line checked, then all lines or none.

Spend files are small (a line per day or invoice), so the whole file is checked before
anything is written, and every bad line is reported at once with its number.
"""

import csv
import io
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import dateparse

from funnel.metrics.window import MAX_DATE, MIN_DATE
from marketing.models import Campaign, Spend
from marketing.services import SpendLine, spend_amount_clean, spend_record

MAX_BYTES = 5 * 1024 * 1024
MAX_LINES = 50_000
DAY_NAMES = ("day", "date", "spend date")
AMOUNT_NAMES = ("amount", "cost", "spend", "value")
NOTE_NAMES = ("note", "notes", "description", "memo")


@dataclass(frozen=True)
class SpendFileError:
    line: int
    message: str


class SpendFileInvalid(ValidationError):
    def __init__(self, errors: list[SpendFileError]) -> None:
        self.errors_by_line = errors
        super().__init__([f"Line {e.line}: {e.message}" if e.line else e.message for e in errors])


def spend_import_csv(
    *, campaign: Campaign, upload: UploadedFile, actor: AbstractBaseUser | None = None
) -> list[Spend]:
    """Record every line of the file, or raise SpendFileInvalid listing what is wrong."""
    if upload.size > MAX_BYTES:
        raise SpendFileInvalid([SpendFileError(0, "Spend files are at most 5 MB.")])
    raw = upload.read()
    if b"\x00" in raw:
        raise SpendFileInvalid([SpendFileError(0, "This is a binary file, not CSV text.")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    lines, errors = _parse(text)
    if errors:
        raise SpendFileInvalid(errors[:100])
    return spend_record(campaign=campaign, lines=lines, actor=actor)


def _parse(text: str) -> tuple[list[SpendLine], list[SpendFileError]]:
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    try:
        header = [column.strip().lower() for column in next(reader, [])]
    except csv.Error as exc:
        return [], [SpendFileError(1, f"broken quoting ({exc}).")]
    day_at = _find(header, DAY_NAMES)
    amount_at = _find(header, AMOUNT_NAMES)
    note_at = _find(header, NOTE_NAMES)
    if day_at is None or amount_at is None:
        return [], [SpendFileError(1, "The header needs a day (or date) and an amount column.")]
    lines: list[SpendLine] = []
    errors: list[SpendFileError] = []
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
            lines.append(_line(row, day_at, amount_at, note_at))
        except ValidationError as exc:
            errors.append(SpendFileError(reader.line_num, " ".join(exc.messages)))
    if not lines and not errors:
        errors.append(SpendFileError(0, "The file has no spend lines."))
    return lines, errors


def _find(header: list[str], names: tuple[str, ...]) -> int | None:
    return next((i for i, column in enumerate(header) if column in names), None)


def _line(row: list[str], day_at: int, amount_at: int, note_at: int | None) -> SpendLine:
    def cell(index: int | None) -> str:
        return row[index].strip() if index is not None and index < len(row) else ""

    day_text = cell(day_at)
    try:
        day = dateparse.parse_date(day_text)
    except ValueError:
        day = None
    if day is None or not MIN_DATE <= day <= MAX_DATE:
        raise ValidationError(f"day {day_text[:40]!r} is not a date like 2025-03-31.")
    amount = spend_amount_clean(cell(amount_at))
    note = cell(note_at)
    if len(note) > 300:
        raise ValidationError("the note is longer than 300 characters.")
    return SpendLine(day=day, amount=amount, note=note)
