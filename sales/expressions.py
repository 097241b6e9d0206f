"""Query expressions shared by services and selectors."""

from datetime import datetime, timedelta

from django.db.models import DateTimeField, F, Func, Q
from django.db.models.functions import Coalesce, Greatest


def lead_quiet_since():
    """When sales last worked the lead: its latest activity, or the move into its current
    stage if later (a reopened prospect starts a fresh clock). Falls back to creation."""
    return Greatest(
        Coalesce(F("last_activity_at"), F("created_at")),
        Coalesce(F("stage_changed_at"), F("created_at")),
    )


def quiet_before(*, now: datetime, days: int) -> Q:
    """Leads annotated with `quiet_since` that have been quiet for `days` days or more."""
    return Q(quiet_since__lte=now - timedelta(days=days))


class AddDays(Func):
    """`datetime + integer days`, both columns, on PostgreSQL and SQLite (Django's duration
    arithmetic cannot multiply a column by an interval on SQLite)."""

    arity = 2
    output_field = DateTimeField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="(%(expressions)s * INTERVAL '1 day')",
            arg_joiner=" + ",
            **extra_context,
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        # Django stores "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC: shift the date and time to
        # the second, then put the fraction back (adding days never changes it).
        moment, days = self.source_expressions
        moment_sql, moment_params = compiler.compile(moment)
        days_sql, days_params = compiler.compile(days)
        sql = (
            f"(strftime('%%Y-%%m-%%d %%H:%%M:%%S', {moment_sql}, '+' || ({days_sql}) || ' days')"
            f" || substr({moment_sql}, 20))"
        )
        return sql, (*moment_params, *days_params, *moment_params)
