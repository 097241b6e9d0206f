"""Campaign revenue credits from a summary (PostgreSQL): funnel.models.CreditRollup holds,
per close day, currency, credit kind, campaign and credited touch count, the sum of the
won deals' ORIGINAL amounts. A reader converts each (day, currency) sum with the rate
expression of currencies.conversion, so a rate added or corrected later for a past day
counts at once, and summing amounts before multiplying by the rate is exact in numeric.

Never stale, as the funnel rollups (funnel.metrics.rollup_refresh): triggers (funnel
migration 0009) note the close days, or the leads, of every write a credit depends on; a
reader takes the days with a note (a lead's: the close days of its won deals) live from
the source rows, in the same statement and through the same SQL (marketing.credit_sql),
and adds them in before any division or rounding, so the figures are those of the live
statement to the last digit. The minute refresh rebuilds the noted days set-based.
"""

from __future__ import annotations

from datetime import date

from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from currencies.conversion import rate_expression
from currencies.records import DEAL
from funnel.metrics.sql import fetch_rows
from funnel.metrics.window import Window
from funnel.models import CreditRollupDay
from marketing.credit_sql import (
    PARTS_COLUMNS,
    WON_CTE,
    credited_sql,
    parts_sql,
    totals_sql,
    won_deals,
    won_revenue_sql,
)
from sales.models import Deal

# Past this many days to rebuild, one full rebuild is cheaper than day by day.
FULL_REBUILD_DAYS = 1500

# The close days in [%s, %s] (given three times) whose credits the summary may not
# hold yet: noted days, the won deals' days of noted leads, and every day while the
# rollups are not built (no state row).
DIRTY_DAYS = """
    SELECT closed_on FROM funnel_rollup_credit_dirty WHERE closed_on BETWEEN %s AND %s
    UNION
    SELECT d.closed_on FROM funnel_rollup_credit_dirty n
    CROSS JOIN LATERAL unnest(n.leads) AS l (id)
    JOIN sales_deal d ON d.lead_id = l.id AND d.status = 'won' AND d.closed_on BETWEEN %s AND %s
    UNION
    SELECT day::date FROM generate_series(%s::date, %s::date, interval '1 day') AS day
    WHERE NOT EXISTS (SELECT 1 FROM funnel_rollup_state)
"""


def credits_from_rollup(window: Window) -> list[dict]:
    """Rows of totals_sql (kind, campaign, touch count, exact sum) for the deals won in
    the window: the summary's clean days converted, the dirty days live; one statement."""
    since, until = window.since, window.until
    # The dirty days as one array (an init plan): the won deals of those days are then
    # found by the close-date index, whatever the planner guesses of the notes.
    live = won_deals(window).filter(
        RawSQL(
            f"{Deal._meta.db_table}.closed_on = ANY((SELECT array_agg(day) FROM dirty)::date[])",
            (),
            output_field=BooleanField(),
        )
    )
    won, won_params = won_revenue_sql(live)
    rates = (
        CreditRollupDay.objects.filter(closed_on__gte=since, closed_on__lte=until)
        .order_by()
        .values("closed_on", "currency", rate=rate_expression(DEAL, today=date.min))
    )
    rates_sql, rates_params = rates.query.sql_with_params()
    summary = f"""
        SELECT s.kind, s.campaign_id, s.touches, s.amount * r.rate
        FROM funnel_rollup_credit s
        JOIN rates r ON r.closed_on = s.closed_on AND r.currency = s.currency
        WHERE s.closed_on BETWEEN %s AND %s AND s.closed_on NOT IN (SELECT day FROM dirty)
        UNION ALL
        SELECT * FROM ({parts_sql("revenue")}) AS live {PARTS_COLUMNS}
    """
    sql = f"""
        WITH dirty (day) AS MATERIALIZED ({DIRTY_DAYS}),
        {WON_CTE} AS MATERIALIZED ({won}),
        credited AS MATERIALIZED ({credited_sql()}),
        rates (closed_on, currency, rate) AS MATERIALIZED ({rates_sql})
        {totals_sql(summary)}
    """
    params = (*[since, until] * 3, *won_params, *rates_params, since, until)
    return fetch_rows(sql, params)


# --- refresh (called by funnel.metrics.rollup_refresh in its transaction and lock) -------

TAKE_NOTES = """
    WITH taken AS (DELETE FROM funnel_rollup_credit_dirty RETURNING closed_on, leads)
    SELECT closed_on FROM taken WHERE closed_on IS NOT NULL
    UNION
    SELECT d.closed_on FROM taken t CROSS JOIN LATERAL unnest(t.leads) AS l (id)
    JOIN sales_deal d ON d.lead_id = l.id AND d.status = 'won'
"""


def credits_refresh(cursor, *, full: bool) -> int | None:
    """Rebuild the noted close days (every day when `full`, or when there are too many);
    the number of days rebuilt, None when everything was."""
    if full:
        cursor.execute("DELETE FROM funnel_rollup_credit_dirty")
        days = None
    else:
        cursor.execute(TAKE_NOTES)
        days = sorted(row[0] for row in cursor.fetchall())
        if len(days) > FULL_REBUILD_DAYS:
            days = None
    if days is None:
        cursor.execute("DELETE FROM funnel_rollup_credit; DELETE FROM funnel_rollup_credit_day")
        _insert(cursor, Deal.objects.filter(status=Deal.Status.WON).order_by(), where="TRUE")
        return None
    if days:
        cursor.execute(
            "DELETE FROM funnel_rollup_credit WHERE closed_on = ANY(%(days)s::date[]);"
            "DELETE FROM funnel_rollup_credit_day WHERE closed_on = ANY(%(days)s::date[])",
            {"days": days},
        )
        won = Deal.objects.filter(status=Deal.Status.WON, closed_on__in=days).order_by()
        _insert(cursor, won, where="closed_on = ANY(%s::date[])", params=[days])
    return len(days)


def _insert(cursor, won, *, where: str, params=()) -> None:
    """Credits of the won deals `won` summed per (close day, currency, kind, campaign,
    touch count), in original amounts; then the (day, currency) pairs present."""
    won_sql, won_params = won.values(
        "id", "lead_id", "closed_at", "closed_on", "currency", "amount", "lead__source_campaign_id"
    ).query.sql_with_params()
    cursor.execute(
        f"""
        INSERT INTO funnel_rollup_credit (closed_on, currency, kind, campaign_id, touches, amount)
        WITH won (id, lead_id, closed_at, closed_on, currency, amount, source)
            AS MATERIALIZED ({won_sql}),
        credited AS MATERIALIZED ({credited_sql()})
        SELECT closed_on, currency, kind, campaign_id, touches, sum(value)
        FROM ({parts_sql("amount", keys="w.closed_on, w.currency")})
            AS p (closed_on, currency, kind, campaign_id, touches, value)
        GROUP BY closed_on, currency, kind, campaign_id, touches
        """,
        won_params,
    )
    cursor.execute(
        "INSERT INTO funnel_rollup_credit_day (closed_on, currency) "
        f"SELECT DISTINCT closed_on, currency FROM funnel_rollup_credit WHERE {where}",
        params,
    )
