"""The physical lines of an import file, for the csv reader.

Every line is read with a length cap, so neither a 10 MB line nor a binary blob can make
memory grow; bytes the encoding cannot decode stop the import with the line's number. The
`LineFeed` remembers the lines of the record being read, so a quote that is opened and
never closed costs only its own line: the lines it swallowed are read again.
"""

from __future__ import annotations

import io
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

# Longest physical line (and quoted field) read; anything longer is a bad line.
MAX_LINE_CHARS = 1_000_000
# Lines a quoted field may run over; lead fields never need more than a few.
MAX_RECORD_LINES = 100
QUOTE_NEVER_CLOSED = (
    f"A quote opened on this line is not closed (within {MAX_RECORD_LINES} lines); "
    "the lines after it were read on their own."
)
# Bytes the codec could not decode, kept as lone surrogates (errors="surrogateescape"), so
# the message names the very line they are on.
_UNDECODABLE = re.compile("[\udc80-\udcff]")


class ImportFileError(Exception):
    """The file as a whole cannot be read: nothing is imported; the message says why."""


class RecordTooLong(Exception):
    def __str__(self) -> str:
        return f"a quoted field runs over more than {MAX_RECORD_LINES} lines"


@dataclass
class Position:
    lines: int = 0  # Physical lines read from the file so far.


def physical_lines(
    text: io.TextIOWrapper, position: Position, too_long: set[int], encoding: str
) -> Iterator[tuple[int, str]]:
    """(line number, text) for every line. A line over MAX_LINE_CHARS is skipped in bounded
    reads and replaced by an empty line, its number added to `too_long`."""
    while True:
        line = _read(text, MAX_LINE_CHARS + 1, encoding, position)
        if not line:
            return
        position.lines += 1
        if len(line) > MAX_LINE_CHARS and not line.endswith(("\n", "\r")):
            while True:
                rest = _read(text, MAX_LINE_CHARS, encoding, position)
                if not rest or rest.endswith(("\n", "\r")):
                    break
            too_long.add(position.lines)
            line = "\n"
        elif match := _UNDECODABLE.search(line):
            byte = ord(match.group()) - 0xDC00
            raise ImportFileError(decode_message(byte, encoding, line=position.lines))
        yield position.lines, line


class LineFeed:
    """The csv reader's source of lines, which remembers the current record's lines."""

    def __init__(self, lines: Iterator[tuple[int, str]]) -> None:
        self._lines = lines
        self._again: deque[tuple[int, str]] = deque()
        self.record: list[tuple[int, str]] = []

    def __iter__(self) -> LineFeed:
        return self

    def __next__(self) -> str:
        if len(self.record) >= MAX_RECORD_LINES:
            raise RecordTooLong
        item = self._again.popleft() if self._again else next(self._lines)
        self.record.append(item)
        return item[1]

    def start_record(self) -> None:
        self.record = []

    def first_line(self, position: Position) -> int:
        return self.record[0][0] if self.record else position.lines

    def replay_after_first(self) -> int:
        """Queue the record's lines after its first to be read again; return the first's
        number."""
        first, rest = self.record[0], self.record[1:]
        self._again.extendleft(reversed(rest))
        self.record = []
        return first[0]


def _read(text: io.TextIOWrapper, limit: int, encoding: str, position: Position) -> str:
    try:
        return text.readline(limit)
    except UnicodeDecodeError as exc:  # UTF-16, which cannot escape bytes.
        byte = exc.object[exc.start]
        raise ImportFileError(decode_message(byte, encoding, line=position.lines + 1)) from None


def decode_message(byte: int, encoding: str, *, line: int | None) -> str:
    where = f"Line {line:,}" if line else "The file"
    name = "UTF-8" if encoding.startswith("utf-8") else encoding.upper()
    return (
        f"{where} is not valid {name} text (byte 0x{byte:02X}). "
        "Choose the file's encoding (files saved by Excel on Windows are usually "
        "Windows-1252) or save it as UTF-8 CSV, and upload it again."
    )
