"""Appending validated rows to the staging table as fast as each database allows.

PostgreSQL: `COPY ... FROM STDIN`, fed by a generator, so the database parses one chunk
while Python cleans the next (two cores, both busy). SQLite: `executemany` of one
prepared INSERT. Either way a batch is one statement and memory holds one chunk.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime

from django.db import connection, transaction

from marketing.imports.reader import STAGE_COLUMNS
from marketing.models import ImportJob, ImportRow

TABLE = ImportRow._meta.db_table
COLUMNS = ["job_id", "line_no", *STAGE_COLUMNS]
TEXT_COLUMNS = [c for c in STAGE_COLUMNS if c not in ("marketing_consent", "created_at")]


def rows_append(*, job_id: int, rows: Iterable[tuple]) -> int:
    """Append `rows` (line, *STAGE_COLUMNS values) for `job_id`, as one transaction (a
    savepoint inside a caller's); returns how many."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            return _copy_postgresql(job_id, rows)
        return _insert_many(job_id, rows)


def rows_delete(*, job_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {connection.ops.quote_name(TABLE)} WHERE job_id = %s", [job_id]
        )


def rows_delete_finished(*, statuses: Iterable[str]) -> int:
    """Delete the staged rows of jobs in `statuses` (finished ones); returns how many."""
    qn = connection.ops.quote_name
    statuses = list(statuses)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {qn(TABLE)} WHERE job_id IN (SELECT id FROM "
            f"{qn(ImportJob._meta.db_table)} WHERE status IN "
            f"({', '.join(['%s'] * len(statuses))}))",
            statuses,
        )
        return cursor.rowcount


def _insert_many(job_id: int, rows: Iterable[tuple]) -> int:
    adapt = connection.ops.adapt_datetimefield_value
    created = STAGE_COLUMNS.index("created_at") + 1
    params = []
    for row in rows:
        values = list(row)
        values[created] = adapt(values[created]) if values[created] is not None else None
        params.append((job_id, *values))
    if not params:
        return 0
    qn = connection.ops.quote_name
    sql = (
        f"INSERT INTO {qn(TABLE)} ({', '.join(qn(c) for c in COLUMNS)}) "
        f"VALUES ({', '.join(['%s'] * len(COLUMNS))})"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    return len(params)


class _GeneratorFile(io.RawIOBase):
    """A read-only file over an iterator of byte strings (what COPY reads from)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = b""
        # The driver reports a failing read() as its own error; keep the real one.
        self.error: Exception | None = None

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            try:
                chunk = next(self._chunks, None)
            except Exception as exc:
                self.error = exc
                raise
            if chunk is None:
                break
            self._buffer += chunk
        if size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data


def _copy_postgresql(job_id: int, rows: Iterable[tuple]) -> int:
    count = 0

    def chunks() -> Iterator[bytes]:
        nonlocal count
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for row in rows:
            writer.writerow((job_id, *(_copy_value(value) for value in row)))
            count += 1
            if buffer.tell() > 256 * 1024:
                yield buffer.getvalue().encode()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode()

    qn = connection.ops.quote_name
    # Empty unquoted fields are NULL (consent, created at); text columns keep "" as "".
    sql = (
        f"COPY {qn(TABLE)} ({', '.join(qn(c) for c in COLUMNS)}) FROM STDIN WITH "
        f"(FORMAT csv, FORCE_NOT_NULL ({', '.join(qn(c) for c in TEXT_COLUMNS)}))"
    )
    with connection.cursor() as cursor:
        raw = cursor.cursor
        source = _GeneratorFile(chunks())
        try:
            if hasattr(raw, "copy_expert"):  # psycopg2
                raw.copy_expert(sql, source, size=256 * 1024)
            else:  # psycopg 3
                with raw.copy(sql) as copy:
                    while data := source.read(256 * 1024):
                        copy.write(data)
        except Exception:
            if source.error is not None:
                raise source.error from None
            raise
    return count


def _copy_value(value: object) -> object:
    if value is None:
        return ""
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return value
