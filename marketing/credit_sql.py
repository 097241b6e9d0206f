"""The SQL of campaign revenue credits, shared by the live statement
(marketing.metrics._credits_in_one_pass) and the summary (marketing.credit_rollup), so
both credit the same deals to the same campaigns and divide the linear shares the same way.

Credits are summed per (kind, campaign, credited touch count) in SQL, exactly (numeric),
and each sum is divided by its count in Python, as a fraction (`exact_cents`): the
figure Σ over deals of revenue x k / n is then exact before its one rounding to cents,
whichever way it was summed, so the summary, which holds sums of amounts per close day and
currency, gives the very same cents as the live statement.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.db import connection
from django.db.models import F, QuerySet

from currencies.conversion import converted
from currencies.records import DEAL
from funnel.metrics.window import Window
from funnel.models import CreditRollup
from marketing.models import Touch
from sales.models import Deal

Kind = CreditRollup.Kind
CENT = Decimal("0.01")
# The won deals' columns in the live statements (id, lead, close time, source campaign,
# revenue in the company currency).
WON_CTE = "won (id, lead_id, closed_at, source, revenue)"
# One credit: its kind, campaign (None: none), the deal's credited touch count (1 but for
# linear shares) and the deal's value (revenue, or the original amount in the summary).
PARTS_COLUMNS = "(kind, campaign_id, touches, value)"


def won_deals(window: Window) -> QuerySet[Deal]:
    return Deal.objects.filter(
        status=Deal.Status.WON, closed_on__gte=window.since, closed_on__lte=window.until
    ).order_by()


def won_revenue_sql(won: QuerySet[Deal]) -> tuple[str, tuple]:
    """`won` as a SELECT of WON_CTE's columns. Compiled from the ORM, so the revenue is
    the amount converted by currencies.conversion at the rate date currencies.records
    gives a deal: the rule is written once."""
    won = won.values(
        "id",
        "lead_id",
        "closed_at",
        source=F("lead__source_campaign_id"),
        revenue=converted(DEAL, today=date.min),
    )
    return won.query.sql_with_params()


def credited_sql() -> str:
    """Each won deal's touches with a campaign at or before its close, with their count
    and their rank from the latest (ties: the later id)."""
    touch = connection.ops.quote_name(Touch._meta.db_table)
    return f"""
        SELECT w.id AS deal_id, t.campaign_id,
               count(*) OVER (PARTITION BY w.id) AS touches,
               row_number() OVER (PARTITION BY w.id ORDER BY t.at DESC, t.id DESC) AS rank
        FROM won w JOIN {touch} t ON t.lead_id = w.lead_id
            AND t.campaign_id IS NOT NULL AND t.at <= w.closed_at
    """


def parts_sql(value: str, keys: str = "") -> str:
    """One row per credit: ([keys,] kind, campaign, touch count, `value` of the deal) over
    the CTEs `won` and `credited`. A linear row per credited touch (a campaign touched
    twice gets two), divided later by the count; the other kinds have a count of 1."""
    k = f"{keys}, " if keys else ""
    return f"""
        SELECT {k}{Kind.FIRST_TOUCH}, w.source, 1, w.{value} FROM won w
        UNION ALL
        SELECT {k}{Kind.LAST_TOUCH}, coalesce(c.campaign_id, w.source), 1, w.{value}
        FROM won w LEFT JOIN credited c ON c.deal_id = w.id AND c.rank = 1
        UNION ALL
        SELECT {k}{Kind.LINEAR}, c.campaign_id, c.touches, w.{value}
        FROM won w JOIN credited c ON c.deal_id = w.id
        UNION ALL
        SELECT {k}{Kind.FALLBACK}, w.source, 1, w.{value} FROM won w
        WHERE NOT EXISTS (SELECT 1 FROM credited c WHERE c.deal_id = w.id)
    """


def totals_sql(parts: str) -> str:
    """(kind, campaign, touch count, exact sum) from `parts`, a SELECT of PARTS_COLUMNS;
    `exact_cents` divides and rounds."""
    return f"""
        SELECT kind, campaign_id, touches, sum(value) AS total
        FROM ({parts}) AS p {PARTS_COLUMNS} GROUP BY kind, campaign_id, touches
    """


def exact_cents(sums: Iterable[tuple[int, object]]) -> Decimal:
    """Σ sum / count over (count, sum) pairs, exactly (fractions), rounded to cents half to
    even once: the linear shares as docs/architecture.md defines them, with no rounding
    of any share, so every path that gives the same sums gives the same cents."""
    exact = sum(
        (Fraction(Decimal(str(total))) / count for count, total in sums if total is not None),
        Fraction(0),
    )
    return (Decimal(round(exact * 100)) / 100).quantize(CENT)
