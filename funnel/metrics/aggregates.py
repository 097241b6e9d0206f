"""SQL building blocks the metrics need and Django does not ship.

`PercentileCont` is PostgreSQL's `percentile_cont(f) WITHIN GROUP (ORDER BY x)`:
continuous, linear interpolation between the two nearest ranks. SQLite has no such
aggregate, so the embedded default registers one with the same definition on the
connection; either way the percentile is computed where the rows are, per group.
"""

from __future__ import annotations

import math

from django.db.models import Aggregate, Field, FloatField, Func
from django.db.models.functions import TruncMonth

SQLITE_PERCENTILE = "funnel_percentile_cont"


class DaysBetween(Func):
    """`end - start` in days, as a float (microsecond-exact on both backends)."""

    output_field = FloatField()
    arity = 2

    def __init__(self, start, end, **extra):
        # Stored as (end, start): both vendor templates read "end minus start".
        super().__init__(end, start, **extra)

    def as_sql(self, compiler, connection, **extra_context):  # pragma: no cover - per vendor
        raise NotImplementedError(f"DaysBetween is not implemented for {connection.vendor}.")

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            # date_part gives double precision directly (EXTRACT would go through numeric).
            template="(date_part('epoch', %(expressions)s) / 86400.0)",
            arg_joiner=" - ",
            **extra_context,
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        # Django registers django_timestamp_diff (microseconds) on every SQLite connection.
        return super().as_sql(
            compiler,
            connection,
            template="(django_timestamp_diff(%(expressions)s) / 86400000000.0)",
            **extra_context,
        )


class PercentileCont(Aggregate):
    """Continuous percentile of `expression` at `fraction` (0..1), null over no rows."""

    name = "PercentileCont"
    output_field = FloatField()
    allow_distinct = False

    def __init__(self, expression, fraction: float, **extra):
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must be between 0 and 1")
        self.fraction = float(fraction)
        super().__init__(expression, **extra)

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template=(
                f"percentile_cont({self.fraction!r}) WITHIN GROUP (ORDER BY %(expressions)s)"
            ),
            **extra_context,
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        _sqlite_register(connection)
        return super().as_sql(
            compiler,
            connection,
            template=f"{SQLITE_PERCENTILE}(%(expressions)s, {self.fraction!r})",
            **extra_context,
        )

    def as_sql(self, compiler, connection, **extra_context):  # pragma: no cover - per vendor
        raise NotImplementedError(f"PercentileCont is not implemented for {connection.vendor}.")


def percentile_cont(values: list[float], fraction: float) -> float | None:
    """percentile_cont over already collected values (the SQLite aggregate's core)."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    lower = math.floor(position)
    upper = math.ceil(position)
    if lower == upper:
        return ordered[lower]
    weight = position - lower
    return ordered[lower] + (ordered[upper] - ordered[lower]) * weight


class _SQLitePercentile:
    def __init__(self) -> None:
        self.values: list[float] = []
        self.fraction = 0.5

    def step(self, value, fraction) -> None:
        if value is not None:
            self.values.append(value)
        self.fraction = fraction

    def finalize(self) -> float | None:
        return percentile_cont(self.values, self.fraction)


def _sqlite_register(connection) -> None:
    # Compiling can happen before the connection is opened; make sure it is, then add the
    # aggregate once per raw connection (a new connection gets it on its first query).
    connection.ensure_connection()
    raw = connection.connection
    if getattr(connection, "_funnel_percentile_on", None) is not raw:
        raw.create_aggregate(SQLITE_PERCENTILE, 2, _SQLitePercentile)
        connection._funnel_percentile_on = raw


class MonthOfWindow(Func):
    """The calendar month (site time zone) of a timestamp inside `window`, as a group key.

    PostgreSQL: `width_bucket(ts, ARRAY[month starts])`, the month's 1-based index: a binary
    search on integers instead of DATE_TRUNC on every row and a sort on timestamps.
    SQLite: Django's month truncation (a datetime). `grouping.group_key` maps both to
    "YYYY-MM".
    """

    # No converters: an int on PostgreSQL, the truncated local time as text on SQLite.
    output_field = Field()

    def __init__(self, expression, *, month_starts, tzinfo, **extra):
        self.month_starts = list(month_starts)
        self.tzinfo = tzinfo
        super().__init__(expression, **extra)

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"width_bucket({sql}, %s::timestamptz[])", (*params, self.month_starts)

    def as_sqlite(self, compiler, connection, **extra_context):
        truncated = TruncMonth(self.source_expressions[0], tzinfo=self.tzinfo)
        return compiler.compile(truncated)

    def as_sql(self, compiler, connection, **extra_context):  # pragma: no cover - per vendor
        raise NotImplementedError(f"MonthOfWindow is not implemented for {connection.vendor}.")
