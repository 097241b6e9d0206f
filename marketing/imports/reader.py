"""Reading an uploaded lead CSV: a quick look for the preview, and a streaming pass that
turns every line into either a clean staged row or a bad line with its reason.

Memory stays flat whatever the file's size: lines are read one at a time with a length
cap, so neither a 10 MB line nor a missing closing quote can make a row grow unbounded.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import IO

from django.core.exceptions import ValidationError
from django.utils import dateparse, timezone

from funnel.stages import Stage
from leads.emails import normalize_email
from leads.models import Lead
from marketing.imports.lines import (
    MAX_LINE_CHARS,
    QUOTE_NEVER_CLOSED,
    ImportFileError,
    LineFeed,
    Position,
    RecordTooLong,
    decode_message,
    physical_lines,
)

SAMPLE_BYTES = 64 * 1024
PREVIEW_ROWS = 10
DELIMITERS = {",": "Comma", ";": "Semicolon", "\t": "Tab", "|": "Pipe"}


@dataclass(frozen=True)
class FieldSpec:
    label: str
    max_length: int
    synonyms: tuple[str, ...]


# Lead fields an import may fill, in the staging table's column order.
FIELDS: dict[str, FieldSpec] = {
    "email": FieldSpec(
        "Email", 254, ("email", "e-mail", "email address", "e-mail address", "mail")
    ),
    "first_name": FieldSpec("First name", 100, ("first name", "firstname", "given name", "first")),
    "last_name": FieldSpec(
        "Last name", 100, ("last name", "lastname", "surname", "family name", "last")
    ),
    "company": FieldSpec(
        "Company", 200, ("company", "company name", "organization", "organisation", "account")
    ),
    "title": FieldSpec("Job title", 200, ("title", "job title", "position", "role")),
    "phone": FieldSpec("Phone", 50, ("phone", "phone number", "telephone", "mobile", "tel")),
    "country": FieldSpec("Country", 100, ("country", "country name", "nation")),
    "industry": FieldSpec("Industry", 100, ("industry", "sector", "vertical")),
    "company_size": FieldSpec(
        "Company size", 20, ("company size", "size", "employees", "headcount", "employee count")
    ),
    "marketing_consent": FieldSpec(
        "Marketing consent", 20, ("marketing consent", "consent", "opt in", "opt-in", "optin")
    ),
    "stage": FieldSpec("Stage", 20, ("stage", "lifecycle stage", "funnel stage")),
    "created_at": FieldSpec(
        "Created", 40, ("created", "created at", "created_at", "date created", "signup date")
    ),
}
STAGE_COLUMNS = list(FIELDS)
TRUE_WORDS = frozenset({"yes", "y", "true", "t", "1", "on", "x", "opted in", "opt-in"})
FALSE_WORDS = frozenset({"no", "n", "false", "f", "0", "off", "opted out", "opt-out"})
COMPANY_SIZES = {size.value.replace(",", ""): size.value for size in Lead.CompanySize}
COMPANY_SIZES |= {"5001+": "5000+", "1000-5000": "1001-5000", "200-1000": "201-1000"}


@dataclass(frozen=True)
class Preview:
    columns: list[str]
    rows: list[list[str]]
    delimiter: str
    suggested: list[str]
    # The file's line number of each row (the header is line 1), as the import counts them.
    lines: list[int]


class BadLine(Exception):
    def __init__(self, line: int, reason: str, content: str = "") -> None:
        super().__init__(reason)
        self.line, self.reason, self.content = line, reason, content


# --- Preview --------------------------------------------------------------------------


def file_preview(raw: IO[bytes], *, encoding: str, delimiter: str | None = None) -> Preview:
    """Check the start of the file and show its header and first rows. Raises
    ImportFileError with a message for a person when it is not a readable CSV."""
    head = raw.read(SAMPLE_BYTES)
    raw.seek(0)
    if not head.strip():
        raise ImportFileError("The file is empty.")
    encoding = effective_encoding(head, encoding)
    if _looks_binary(head) and not encoding.startswith("utf-16"):
        raise ImportFileError(
            "This is a binary file (a spreadsheet or an archive?), not CSV text. "
            "Save it as CSV (comma-separated values) and upload that."
        )
    try:
        sample = codecs.getincrementaldecoder(encoding)().decode(head, final=False)
    except UnicodeDecodeError as exc:
        byte = exc.object[exc.start]
        raise ImportFileError(decode_message(byte, encoding, line=None)) from None
    sample = sample.lstrip("\ufeff")
    excel_sep = excel_separator(sample)
    if delimiter not in DELIMITERS:
        delimiter = excel_sep or sniff_delimiter(sample)
    # newline="": lines end where the import's reader ends them, so line numbers agree.
    text = io.StringIO(sample, newline="")
    reader = csv.reader(text, delimiter=delimiter, strict=True)
    if excel_sep:
        next(reader)  # Line 1 only names the separator; the header is line 2.
    try:
        columns = next(reader, [])
    except csv.Error as exc:
        raise ImportFileError(f"The header line has broken quoting ({exc}).") from None
    rows: list[list[str]] = []
    lines: list[int] = []
    while len(rows) < PREVIEW_ROWS:
        first_line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error:
            continue  # A bad line: the preview check and the run report it with its number.
        if "".join(row).strip():  # Blank lines are skipped by the import too.
            rows.append(row)
            lines.append(first_line)
    columns = [column.strip() for column in columns]
    if not any(columns):
        raise ImportFileError("The first line must be a header naming the columns.")
    if len(columns) > 200:
        raise ImportFileError(f"The header has {len(columns)} columns; at most 200 are read.")
    return Preview(
        columns=columns,
        rows=rows,
        delimiter=delimiter,
        suggested=suggest_mapping(columns),
        lines=lines,
    )


def _looks_binary(head: bytes) -> bool:
    # Spreadsheets, archives and images are full of control bytes; a text file with one
    # stray NUL is text with a bad line (reported when the line is read).
    controls = sum(head.count(bytes([b])) for b in (*range(9), *range(14, 32)))
    return controls > max(3, len(head) // 100)


def effective_encoding(head: bytes, chosen: str) -> str:
    # A byte-order mark is proof of the encoding, whatever was chosen.
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if chosen == "utf-8":
        return "utf-8-sig"
    return chosen


# Excel's first line naming the separator ("sep=;"), written by and for spreadsheets.
_EXCEL_SEP = re.compile(r"sep=(.)", re.IGNORECASE)


def excel_separator(text: str) -> str | None:
    """The separator named by an Excel "sep=" first line of `text`, or None."""
    match = _EXCEL_SEP.fullmatch(text.split("\n", 1)[0].rstrip("\r\n"))
    return match.group(1) if match else None


def sniff_delimiter(sample: str) -> str:
    header = sample.splitlines()[0] if sample else ""
    counts = {delimiter: header.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def suggest_mapping(columns: list[str]) -> list[str]:
    taken: set[str] = set()
    suggested = []
    for column in columns:
        key = " ".join(column.lower().replace("_", " ").split())
        field = next(
            (name for name, spec in FIELDS.items() if key in spec.synonyms and name not in taken),
            "",
        )
        taken.add(field)
        suggested.append(field)
    return suggested


def mapping_check(mapping: list[str], *, columns: int) -> None:
    if len(mapping) != columns:
        raise ValidationError("Map every column (or choose to ignore it).")
    unknown = {field for field in mapping if field and field not in FIELDS}
    if unknown:
        raise ValidationError(f"Unknown lead fields: {', '.join(sorted(unknown))}.")
    used = [field for field in mapping if field]
    if "email" not in used:
        raise ValidationError("Choose the column that holds the email address: it is required.")
    repeated = sorted({FIELDS[field].label for field in used if used.count(field) > 1})
    if repeated:
        raise ValidationError(f"Each field can come from one column only: {', '.join(repeated)}.")


# --- Streaming pass -------------------------------------------------------------------


def rows_read(
    raw: IO[bytes], *, encoding: str, delimiter: str, mapping: list[str], position: Position
) -> Iterator[tuple | BadLine]:
    """Yield a staged tuple (line, *STAGE_COLUMNS values) per good line and a BadLine per
    bad one, after the header. Raises ImportFileError if the file cannot be decoded."""
    head = raw.read(4)
    raw.seek(0)
    encoding = effective_encoding(head, encoding)
    errors = "strict" if encoding.startswith("utf-16") else "surrogateescape"
    text = io.TextIOWrapper(raw, encoding=encoding, errors=errors, newline="")
    try:
        yield from _rows(text, encoding, delimiter, mapping, position)
    finally:
        # The caller owns `raw` (and reads its position): don't let the wrapper close it.
        text.detach()


def _rows(
    text: io.TextIOWrapper, encoding: str, delimiter: str, mapping: list[str], position: Position
) -> Iterator[tuple | BadLine]:
    too_long: set[int] = set()
    feed = LineFeed(physical_lines(text, position, too_long, encoding))
    csv.field_size_limit(MAX_LINE_CHARS)
    reader = csv.reader(feed, delimiter=delimiter, strict=True)
    try:
        header = next(reader)
        if len(feed.record) == 1 and excel_separator(feed.record[0][1].lstrip("\ufeff")):
            feed.start_record()
            header = next(reader)  # Line 1 only named the separator; the header is line 2.
    except StopIteration:
        return
    except (csv.Error, RecordTooLong) as exc:
        raise ImportFileError(f"The header line has broken quoting ({exc}).") from None
    width = len(header)
    # The per-line loop is hot: plain text columns are checked inline (column, staged slot,
    # length limit, label); the others through their cleaner (column, slot, cleaner).
    mapped = [
        (index, field, STAGE_COLUMNS.index(field) + 1)
        for index, field in enumerate(mapping)
        if field
    ]
    texts = [
        (i, slot, FIELDS[f].max_length, FIELDS[f].label)
        for i, f, slot in mapped
        if f in TEXT_FIELDS
    ]
    cleaners = [(i, slot, CLEANERS[f]) for i, f, slot in mapped if f not in TEXT_FIELDS]
    template = [None, *(None if field in NULLABLE else "" for field in STAGE_COLUMNS)]
    padding = [""] * width
    while True:
        feed.start_record()
        try:
            row = next(reader)
        except StopIteration:
            return
        except (csv.Error, RecordTooLong) as exc:
            # The line as it was written: the csv reader gives no cells for it.
            content = _line_content(feed.record[0][1]) if feed.record else ""
            if len(feed.record) > 1:
                # A quote opened and never closed swallowed the lines after it: only its
                # own line is bad; the others are read again, one by one.
                yield BadLine(feed.replay_after_first(), QUOTE_NEVER_CLOSED, content)
            else:
                yield BadLine(feed.first_line(position), f"Broken quoting: {exc}.", content)
            reader = csv.reader(feed, delimiter=delimiter, strict=True)
            continue
        line = feed.first_line(position)
        if not row:
            if line in too_long:
                yield BadLine(line, f"The line is longer than {MAX_LINE_CHARS:,} characters.")
            continue
        joined = "".join(row)
        if not joined.strip():
            continue
        if len(row) != width:
            if len(row) > width and "".join(row[width:]).strip():
                yield BadLine(line, f"{len(row)} fields; the header has {width}.", _content(row))
                continue
            row = (row + padding)[:width]
        if "\x00" in joined:
            column = next(i for i, value in enumerate(row) if "\x00" in value)
            label = FIELDS[mapping[column]].label if mapping[column] else f"Column {column + 1}"
            yield BadLine(line, f"{label} contains a NUL byte.", _content(row))
            continue
        staged = template.copy()
        staged[0] = line
        try:
            for index, slot, limit, label in texts:
                value = row[index].strip()
                if len(value) > limit:
                    raise ValueError(f"{label} is longer than {limit} characters.")
                staged[slot] = value
            for index, slot, clean in cleaners:
                staged[slot] = clean(row[index].strip())
        except ValueError as exc:
            yield BadLine(line, str(exc), _content(row))
            continue
        yield tuple(staged)


def _content(row: list[str]) -> str:
    return _line_content(",".join(row))


def _line_content(text: str) -> str:
    text = text.rstrip("\r\n")
    return text[:200] + ("…" if len(text) > 200 else "")


# --- Cleaning one value ---------------------------------------------------------------

NULLABLE = frozenset({"marketing_consent", "created_at"})
TEXT_FIELDS = frozenset(
    {"first_name", "last_name", "company", "title", "phone", "country", "industry"}
)


def _email(value: str) -> str:
    if not value:
        raise ValueError("Email is missing.")
    try:
        return normalize_email(value)
    except ValidationError as exc:
        raise ValueError(f"Email {value[:80]!r}: {' '.join(exc.messages)}") from None


def _company_size(value: str) -> str:
    if not value:
        return ""
    key = value.lower().replace(",", "").replace(" ", "").removesuffix("employees")
    size = COMPANY_SIZES.get(key)
    if size is None:
        choices = ", ".join(Lead.CompanySize.values)
        raise ValueError(f"Company size {value[:40]!r} is not one of {choices}.")
    return size


def _consent(value: str) -> bool | None:
    word = value.lower()
    if not word:
        return None
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"Marketing consent {value[:40]!r} is not yes or no.")


def _stage(value: str) -> str:
    word = value.lower()
    if word and word not in Stage._value2member_map_:
        choices = ", ".join(stage.value for stage in Stage)
        raise ValueError(f"Stage {value[:40]!r} is not one of {choices}.")
    return word


def _created_at(value: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = dateparse.parse_datetime(value)
        if moment is None:
            day = dateparse.parse_date(value)
            moment = datetime.combine(day, time.min) if day else None
    except ValueError:
        moment = None
    if moment is None:
        raise ValueError(f"Created {value[:40]!r} is not a date (use 2024-05-31 or ISO 8601).")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    if (
        not datetime(1970, 1, 1, tzinfo=moment.tzinfo)
        <= moment
        <= timezone.now() + timedelta(days=1)
    ):
        raise ValueError(f"Created {value[:40]!r} is in the future or before 1970.")
    return moment


# Fields with more to check than a length (plain text is checked inline in `_rows`).
CLEANERS: dict[str, Callable[[str], object]] = {
    "email": _email,
    "company_size": _company_size,
    "marketing_consent": _consent,
    "stage": _stage,
    "created_at": _created_at,
}
