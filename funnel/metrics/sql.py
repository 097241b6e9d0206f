"""Running the metrics' SQL: on PostgreSQL with per-statement settings.

The metric queries read a million-row cohort and ~2 million moves and sort them once for
the percentiles. PostgreSQL's JIT would spend longer compiling them than they take to run,
and the default 4 MB `work_mem` would send the sort to disk, so each statement runs with
`SET LOCAL` for both (in the same implicit transaction as the query, nothing outlives it).
`FUNNEL_METRICS_WORK_MEM` (default 128MB) caps the memory one metrics query may sort in.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import connection

_MEMORY = re.compile(r"^\d{1,6}(kB|MB|GB)$")


def _session_prefix() -> str:
    work_mem = getattr(settings, "FUNNEL_METRICS_WORK_MEM", "128MB")
    if not _MEMORY.match(work_mem):
        raise ValueError(f"FUNNEL_METRICS_WORK_MEM must look like '128MB', not {work_mem!r}")
    return f"SET LOCAL jit = off; SET LOCAL work_mem = '{work_mem}'; "


def fetch_rows(sql: str, params) -> list[dict]:
    """Rows of one statement as dicts (raw values: no Django converters)."""
    with connection.cursor() as cursor:
        # psycopg2 sends the statements as one simple query, which PostgreSQL runs as a
        # single transaction: the SET LOCALs apply to this query and end with it.
        if connection.vendor == "postgresql" and hasattr(cursor.cursor, "copy_expert"):
            sql = _session_prefix() + sql
        cursor.execute(sql, params)
        columns = [column[0] for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
