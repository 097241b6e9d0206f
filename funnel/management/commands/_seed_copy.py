"""Fast bulk writers for `seed_bulk`: PostgreSQL COPY, or batched executemany on SQLite.

A writer is given the columns the seeder fills; every other column of the model gets its
field default (computed once), so a column added to a model later does not break seeding.
"""

from __future__ import annotations

import io
import json
import time
from datetime import UTC, datetime

from django.db import connection, models

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


def timestamp_formatter():
    """A function turning epoch seconds into the database's text for a UTC timestamp."""
    from_epoch = datetime.fromtimestamp
    if on_postgres():
        return lambda seconds: from_epoch(seconds, UTC).isoformat(" ")
    # SQLite stores naive UTC text, exactly as Django writes it.
    return lambda seconds: from_epoch(seconds, UTC).replace(tzinfo=None).isoformat(" ")


def _default(field: models.Field):
    value = field.get_default()
    if isinstance(field, models.JSONField):
        return json.dumps(value)
    if isinstance(value, datetime):
        return timestamp_formatter()((value - EPOCH).total_seconds())
    return value


def _pg_text(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    return str(value)


class BulkTable:
    """Rows for one model's table, written in batches by `flush`."""

    def __init__(self, model: type[models.Model], columns: list[str]) -> None:
        self.model = model
        self.table = model._meta.db_table
        self.postgres = on_postgres()
        fields = {f.column: f for f in model._meta.concrete_fields}
        unknown = set(columns) - set(fields)
        if unknown:
            raise ValueError(f"{self.table} has no column(s) {sorted(unknown)}")
        # Columns left out get their default; the auto primary key and columns with a
        # database default are left to the database.
        self.rest = [
            column
            for column, field in fields.items()
            if column not in columns
            and not (field.primary_key and isinstance(field, models.AutoField))
            and field.db_default is models.NOT_PROVIDED
        ]
        for column in self.rest:
            if fields[column].unique:
                raise ValueError(f"{self.table}.{column} is unique: the seeder must fill it")
        self.columns = [*columns, *self.rest]
        rest_values = tuple(_default(fields[column]) for column in self.rest)
        self._rest_values = rest_values
        self._rest_text = "".join("\t" + _pg_text(v) for v in rest_values)
        self._rows: list = []
        self.written = 0
        self.seconds = 0.0  # spent writing, for the command's report

    def add(self, values: tuple) -> None:
        """`values` for the seeder's columns, in order. Strings must hold no tab, newline or
        backslash (the seeder's never do), so COPY lines need no escaping on this path."""
        if self.postgres:
            self._rows.append(
                "\t".join(["\\N" if v is None else str(v) for v in values]) + self._rest_text
            )
        else:
            self._rows.append(values + self._rest_values)

    def __len__(self) -> int:
        return len(self._rows)

    def flush(self) -> None:
        if not self._rows:
            return
        began = time.monotonic()
        qn = connection.ops.quote_name
        names = ", ".join(qn(c) for c in self.columns)
        with connection.cursor() as cursor:
            if self.postgres:
                buffer = io.StringIO("\n".join(self._rows) + "\n")
                sql = f"COPY {qn(self.table)} ({names}) FROM STDIN"
                raw = cursor.cursor
                if hasattr(raw, "copy_expert"):  # psycopg2
                    raw.copy_expert(sql, buffer)
                else:  # psycopg 3
                    with raw.copy(sql) as copy:
                        copy.write(buffer.getvalue())
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(
                    f"INSERT INTO {qn(self.table)} ({names}) VALUES ({marks})", self._rows
                )
        self.written += len(self._rows)
        self._rows = []
        self.seconds += time.monotonic() - began


def reset_sequence(model: type[models.Model]) -> None:
    """After writing explicit ids, move the id sequence past them (PostgreSQL only)."""
    if not on_postgres():
        return
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(_NoStyle(), [model]):
            cursor.execute(sql)


def analyze(models_: list[type[models.Model]]) -> None:
    """Fresh planner statistics (the old ones describe an empty table) and, on PostgreSQL,
    a vacuum so index-only scans need not visit the heap (the metrics rely on them)."""
    # VACUUM cannot run inside a transaction (a test, a wrapping script): ANALYZE can.
    vacuum = on_postgres() and not connection.in_atomic_block
    command = "VACUUM ANALYZE" if vacuum else "ANALYZE"
    with connection.cursor() as cursor:
        for model in models_:
            cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")


class _NoStyle:
    def __getattr__(self, name):
        return lambda text: text


class IndexesDeferred:
    """Drop the secondary indexes and foreign keys of empty tables for a bulk load and
    rebuild them afterwards (PostgreSQL), as pg_restore does: one sort per index and one
    validating join per key beat millions of incremental updates and per-row checks.

    Only empty tables are touched, so a live database is never left without its indexes
    while it holds data; a failed load still restores them.
    """

    def __init__(self, models_: list[type[models.Model]]) -> None:
        self.models = models_
        self.saved: list[tuple[str, str]] = []  # (kind, SQL to re-create)

    def __enter__(self) -> IndexesDeferred:
        # Inside a caller's transaction (a test, a wrapping script) the load is not
        # committed chunk by chunk and DDL would meet pending deferred checks: skip.
        if not on_postgres() or connection.in_atomic_block:
            return self
        with connection.cursor() as cursor:
            for model in self.models:
                table = model._meta.db_table
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {connection.ops.quote_name(table)})")
                if cursor.fetchone()[0]:
                    continue
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype = 'f'",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    qn = connection.ops.quote_name
                    self.saved.append(
                        ("fk", f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}")
                    )
                    cursor.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
                cursor.execute(
                    "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
                    "AND i.indexname NOT IN (SELECT c.relname FROM pg_constraint k "
                    "JOIN pg_class c ON c.oid = k.conindid WHERE k.conrelid = %s::regclass)",
                    [table, table],
                )
                for name, definition in cursor.fetchall():
                    self.saved.append(("index", definition))
                    cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        return self

    def __exit__(self, *exc) -> None:
        if not self.saved:
            return
        with connection.cursor() as cursor:
            # More memory for the sorts than the per-query default; this session only.
            cursor.execute("SET maintenance_work_mem = '512MB'")
            # Indexes first: the foreign keys then validate with an index on each side.
            for _kind, sql in sorted(self.saved, key=lambda item: item[0] != "index"):
                cursor.execute(sql)
            cursor.execute("RESET maintenance_work_mem")
