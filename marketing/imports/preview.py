"""The preview's lines, each checked by the import's own reader with the chosen mapping, so
the preview table marks the lines a run would refuse, with the reason its report gives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from marketing.imports.lines import ImportFileError, Position
from marketing.imports.reader import FIELDS, PREVIEW_ROWS, BadLine, Preview, rows_read


@dataclass(frozen=True)
class PreviewLine:
    line: int
    # None: the preview could not split the line into cells (`problem` says why).
    cells: list[str] | None
    problem: str = ""

    @property
    def is_bad(self) -> bool:
        return bool(self.problem)


def preview_lines_check(
    raw: IO[bytes], *, preview: Preview, encoding: str, mapping: list[str]
) -> list[PreviewLine]:
    """The preview's rows with the verdict of `rows_read` on each, plus the bad lines among
    them that the preview could not show (broken quoting), in file order."""
    width = len(preview.columns)
    mapping = [field if field in FIELDS else "" for field in mapping[:width]]
    mapping += [""] * (width - len(mapping))
    problems = _problems(
        raw,
        encoding=encoding,
        delimiter=preview.delimiter,
        mapping=mapping,
        last_line=max(preview.lines, default=1),
    )
    shown = dict(zip(preview.lines, preview.rows, strict=True))
    return [
        PreviewLine(line=line, cells=shown.get(line), problem=problems.get(line, ""))
        for line in sorted(shown.keys() | problems.keys())
    ]


def _problems(
    raw: IO[bytes], *, encoding: str, delimiter: str, mapping: list[str], last_line: int
) -> dict[int, str]:
    """{line: reason} for the bad lines among the first PREVIEW_ROWS records, and up to
    `last_line` (the preview's last row)."""
    problems: dict[int, str] = {}
    records = rows_read(
        raw, encoding=encoding, delimiter=delimiter, mapping=mapping, position=Position()
    )
    try:
        for seen, item in enumerate(records, start=1):
            line = item.line if isinstance(item, BadLine) else item[0]
            if seen > PREVIEW_ROWS and line > last_line:
                break
            if isinstance(item, BadLine):
                problems[item.line] = item.reason
    except ImportFileError:
        pass  # The whole file is refused then: the run says so, with the line.
    finally:
        records.close()
    return problems
