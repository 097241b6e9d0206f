"""Small SQL expressions the scoring needs and Django does not ship, one per vendor."""

from django.db.models import FloatField, Func


class AgeDays(Func):
    """Days from `at` to `now` as a float (negative for a future `at`)."""

    output_field = FloatField()
    arity = 2

    def __init__(self, at, now, **extra):
        super().__init__(at, now, **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        # Django stores SQLite datetimes as UTC text, which julianday() reads.
        at, now = self.source_expressions
        at_sql, at_params = compiler.compile(at)
        now_sql, now_params = compiler.compile(now)
        return f"(julianday({now_sql}) - julianday({at_sql}))", [*now_params, *at_params]

    def as_postgresql(self, compiler, connection, **extra_context):
        at, now = self.source_expressions
        at_sql, at_params = compiler.compile(at)
        now_sql, now_params = compiler.compile(now)
        return (
            f"(EXTRACT(EPOCH FROM ({now_sql} - {at_sql}))::double precision / 86400.0)",
            [*now_params, *at_params],
        )


class RoundScore(Func):
    """Round to two decimals and stay a float (PostgreSQL rounds only numerics to places)."""

    output_field = FloatField()
    arity = 1

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="ROUND(%(expressions)s, 2)")

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="ROUND((%(expressions)s)::numeric, 2)::double precision",
        )
