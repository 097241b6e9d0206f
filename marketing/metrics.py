"""Campaign results, exactly as docs/architecture.md defines them ("Campaign results").

For a window [since, until] (site time zone):
- leads: leads created in the window whose source campaign (first touch) is the campaign;
  prospects / customers: those of them that ever reached the stage (milestone columns,
  written by the one stage writer with the history row);
- spend: ledger lines with a day in the window; cost per lead / prospect / customer;
- revenue: deals won (closed) in the window, credited three ways: first touch (the lead's
  source campaign), last touch (the campaign of the lead's latest touch with a campaign at
  or before the close) and linear (an equal share to each such touch); with no such touch
  both fall back to the source campaign. Revenue with no campaign goes to "none".
- ROI per model = (revenue - spend) / spend. A zero denominator gives null, not zero.
Money is in the company currency: each spend line converted at its day, each deal at its
close date (the latest rate on or before; currencies.records), inside the aggregates,
summed exactly and rounded to cents once per figure (linear shares: the exact sums per
touch count divided as fractions, marketing.credit_sql.exact_cents).
Every figure is an aggregate in the database: a fixed number of queries per page.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import (
    BigIntegerField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from currencies.conversion import converted, money_round
from currencies.records import DEAL, SPEND
from funnel.metrics.grouping import NONE_KEY
from funnel.metrics.keyed_read import campaign_cohorts
from funnel.metrics.sql import fetch_rows
from funnel.metrics.window import Window
from leads.models import Lead
from marketing.credit_rollup import credits_from_rollup
from marketing.credit_sql import (
    WON_CTE,
    Kind,
    credited_sql,
    exact_cents,
    parts_sql,
    totals_sql,
    won_deals,
    won_revenue_sql,
)
from marketing.models import Campaign, Spend, Touch
from sales.models import Deal

MODELS = ("first_touch", "last_touch", "linear")
# The credit kinds of marketing.credit_sql by model: the fallback is linear revenue.
KIND_MODELS = {
    Kind.FIRST_TOUCH: "first_touch",
    Kind.LAST_TOUCH: "last_touch",
    Kind.LINEAR: "linear",
    Kind.FALLBACK: "linear",
}
CENT = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Promotion:
    code: str
    deals: int
    revenue: Decimal
    # Discount given, from the campaign's terms and the deal amounts (which are what the
    # customer paid, after the discount). None when it cannot be known (a 100 % discount).
    discount: Decimal | None


@dataclass
class CampaignResult:
    campaign: Campaign | None  # None: leads and revenue with no campaign at all.
    leads: int = 0
    prospects: int = 0
    customers: int = 0
    spend: Decimal = ZERO
    revenue: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(MODELS, ZERO))
    promotion: Promotion | None = None

    @property
    def cost_per_lead(self) -> Decimal | None:
        return _per(self.spend, self.leads)

    @property
    def cost_per_prospect(self) -> Decimal | None:
        return _per(self.spend, self.prospects)

    @property
    def cost_per_customer(self) -> Decimal | None:
        return _per(self.spend, self.customers)

    @property
    def roi(self) -> dict[str, float | None]:
        if not self.spend:
            return dict.fromkeys(MODELS)
        # Exact as docs/architecture.md defines it (to a float's precision); pages and
        # exports round when they display it.
        return {m: float((self.revenue[m] - self.spend) / self.spend) for m in MODELS}

    @property
    def budget_used(self) -> float | None:
        budget = self.campaign.budget if self.campaign else None
        return float(self.spend / budget) if budget else None


def _per(amount: Decimal, count: int) -> Decimal | None:
    return (amount / count).quantize(CENT) if count else None


def campaign_results(
    *, window: Window, campaigns: QuerySet[Campaign] | None = None, include_none: bool = True
) -> tuple[list[CampaignResult], CampaignResult]:
    """One row per campaign of `campaigns` (default: all), plus the "none" row, and the
    totals over every campaign (not only those listed). A fixed number of queries whatever
    the data (the revenue credits: one on PostgreSQL, four elsewhere)."""
    listed = list((campaigns if campaigns is not None else Campaign.objects.all()).order_by("name"))
    rows: dict[int | None, CampaignResult] = {c.pk: CampaignResult(campaign=c) for c in listed}
    none = CampaignResult(campaign=None)
    totals = CampaignResult(campaign=None)

    def row(campaign_id: int | None) -> CampaignResult | None:
        return none if campaign_id is None else rows.get(campaign_id)

    for item in _cohort(window):
        for target in (row(item["source_campaign"]), totals):
            if target is not None:
                target.leads += item["leads"]
                target.prospects += item["prospects"]
                target.customers += item["customers"]
    for campaign_id, amount in _spend(window).items():
        for target in (row(campaign_id), totals):
            if target is not None:
                target.spend += amount
    for model, credits in revenue_credits(window).items():
        for campaign_id, amount in credits.items():
            for target in (row(campaign_id), totals):
                if target is not None:
                    target.revenue[model] += amount
    # Every model credits all the revenue somewhere (a campaign or none): the totals are the
    # same, and stay exact where linear shares were rounded to cents per campaign.
    totals.revenue = dict.fromkeys(MODELS, totals.revenue["first_touch"])
    for campaign_id, promotion in _promotions(window, rows).items():
        rows[campaign_id].promotion = promotion
    result = [rows[c.pk] for c in listed]
    if include_none:
        result.append(none)
    return result, totals


def _cohort(window: Window) -> list[dict]:
    """Leads created in the window per source campaign, and how many became prospects and
    customers: from the keyed day cohorts on PostgreSQL once built (funnel.metrics.
    keyed_read, the same figures the funnel breakdown by campaign shows), else live."""
    keyed = campaign_cohorts(window) if connection.vendor == "postgresql" else None
    if keyed is not None:
        return [
            {
                "source_campaign": None if key == NONE_KEY else int(key),
                "leads": figures.cohort,
                "prospects": figures.reached["prospect"],
                "customers": figures.reached["customer"],
            }
            for key, figures in keyed.items()
        ]
    return list(
        Lead.objects.filter(created_at__gte=window.start, created_at__lt=window.end)
        .order_by()
        .values("source_campaign")
        .annotate(
            leads=Count("pk"),
            prospects=Count("pk", filter=Q(became_prospect_at__isnull=False)),
            customers=Count("pk", filter=Q(became_customer_at__isnull=False)),
        )
    )


def _spend(window: Window) -> dict[int, Decimal]:
    totals = (
        Spend.objects.filter(day__gte=window.since, day__lte=window.until)
        .order_by()
        .values("campaign")
        .annotate(total=Sum(converted(SPEND, today=window.until)))
    )
    return {item["campaign"]: _money(item["total"]) for item in totals}


def _won(window: Window) -> QuerySet[Deal]:
    return won_deals(window)


def _credited_touches() -> QuerySet[Touch]:
    """Touches with a campaign of the outer deal's lead, at or before its close."""
    return Touch.objects.filter(
        lead=OuterRef("lead"), campaign__isnull=False, at__lte=OuterRef("closed_at")
    ).order_by()


def _revenue() -> Sum:
    """Won deals' amounts in the company currency, at their close dates."""
    return Sum(converted(DEAL, today=date.min))


def revenue_credits(window: Window) -> dict[str, dict[int | None, Decimal]]:
    """{model: {campaign id or None: revenue}} for the deals won in the window. PostgreSQL
    reads the summary of credits per close day (marketing.credit_rollup), the days with
    pending writes live, in one statement; SQLite runs four queries."""
    if connection.vendor == "postgresql":
        return credits_by_model(credits_from_rollup(window))
    return _credits_in_four_queries(window)


def _credits_in_four_queries(window: Window) -> dict[str, dict[int | None, Decimal]]:
    """First touch, last touch, linear shares and the linear fallback: one query each."""
    credits: dict[str, dict[int | None, Decimal]] = {m: defaultdict(Decimal) for m in MODELS}
    first = _won(window).values("lead__source_campaign").annotate(total=_revenue())
    for item in first:
        credits["first_touch"][item["lead__source_campaign"]] += _money(item["total"])
    latest = _credited_touches().order_by("-at", "-id").values("campaign")[:1]
    last = (
        _won(window)
        .annotate(
            credit=Coalesce(
                Subquery(latest), F("lead__source_campaign_id"), output_field=BigIntegerField()
            )
        )
        .values("credit")
        .annotate(total=_revenue())
    )
    for item in last:
        credits["last_touch"][item["credit"]] += _money(item["total"])
    for campaign_id, amount in _linear(window):
        credits["linear"][campaign_id] += amount
    fallback = (
        _won(window)
        .filter(~Exists(_credited_touches()))
        .values("lead__source_campaign")
        .annotate(total=_revenue())
    )
    for item in fallback:
        credits["linear"][item["lead__source_campaign"]] += _money(item["total"])
    return {model: dict(values) for model, values in credits.items()}


def _credits_in_one_pass(window: Window) -> dict[str, dict[int | None, Decimal]]:
    """PostgreSQL, live: the four sums of _credits_in_four_queries from one pass over the
    won deals and their credited touches (index-only, funnel migration 0007). Same
    per-deal amounts, the same groups and the same division of linear sums, so the same
    sums to the last digit; then rounded per figure as they are there (the fallback apart
    from the linear shares). The summary's reader (credit_rollup) runs the same SQL over
    the days it reads live."""
    won, params = won_revenue_sql(_won(window))
    sql = f"""
        WITH {WON_CTE} AS MATERIALIZED ({won}),
        credited AS MATERIALIZED ({credited_sql()})
        {totals_sql(parts_sql("revenue"))}
    """
    return credits_by_model(fetch_rows(sql, params))


def credits_by_model(rows) -> dict[str, dict[int | None, Decimal]]:
    """Rows of totals_sql (kind, campaign, touch count, exact sum) as {model: {campaign:
    cents}}: each (kind, campaign) figure exact, then rounded once (the fallback apart from
    the linear shares, as _credits_in_four_queries does)."""
    sums: dict[tuple[int, int | None], list] = defaultdict(list)
    for row in rows:
        sums[(row["kind"], row["campaign_id"])].append((row["touches"], row["total"]))
    credits: dict[str, dict[int | None, Decimal]] = {m: defaultdict(Decimal) for m in MODELS}
    for (kind, campaign_id), pairs in sums.items():
        credits[KIND_MODELS[kind]][campaign_id] += exact_cents(pairs)
    return {model: dict(values) for model, values in credits.items()}


def _linear(window: Window) -> list[tuple[int, Decimal]]:
    """Each won deal's amount split equally over its lead's touches with a campaign at or
    before the close (a campaign touched twice gets two shares), summed per campaign.
    Plain SQL over the won deals compiled from the ORM (won_revenue_sql): a join of deals
    to touches with a per-deal count, summed per (campaign, count), each sum divided
    exactly (exact_cents) as the one-pass statement's are; same on both databases."""
    touch = connection.ops.quote_name(Touch._meta.db_table)
    won, params = won_revenue_sql(_won(window))
    sql = f"""
        WITH {WON_CTE} AS ({won})
        SELECT t.campaign_id, n.touches, SUM(w.revenue)
        FROM won w
        JOIN (
            SELECT w2.id AS deal_id, COUNT(*) AS touches
            FROM won w2
            JOIN {touch} t2 ON t2.lead_id = w2.lead_id
                AND t2.campaign_id IS NOT NULL AND t2.at <= w2.closed_at
            GROUP BY w2.id
        ) n ON n.deal_id = w.id
        JOIN {touch} t ON t.lead_id = w.lead_id
            AND t.campaign_id IS NOT NULL AND t.at <= w.closed_at
        GROUP BY t.campaign_id, n.touches
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        sums: dict[int, list] = defaultdict(list)
        for campaign_id, touches, total in cursor.fetchall():
            sums[campaign_id].append((touches, total))
    return [(campaign_id, exact_cents(pairs)) for campaign_id, pairs in sums.items()]


def _promotions(window: Window, rows: dict[int | None, CampaignResult]) -> dict[int, Promotion]:
    listed = {pk: r.campaign for pk, r in rows.items() if r.campaign and r.campaign.promo_code}
    if not listed:
        return {}
    totals = (
        _won(window)
        .filter(promotion__in=list(listed))
        .values("promotion")
        .annotate(deals=Count("pk"), total=_revenue())
    )
    found = {item["promotion"]: item for item in totals}
    result = {}
    for pk, campaign in listed.items():
        item = found.get(pk, {"deals": 0, "total": ZERO})
        revenue = _money(item["total"])
        result[pk] = Promotion(
            code=campaign.promo_code,
            deals=item["deals"],
            revenue=revenue,
            discount=promotion_discount(campaign, deals=item["deals"], revenue=revenue),
        )
    return result


def promotion_discount(campaign: Campaign, *, deals: int, revenue: Decimal) -> Decimal | None:
    if campaign.discount_amount is not None:
        return (campaign.discount_amount * deals).quantize(CENT)
    percent = campaign.discount_percent
    if percent is None:
        return None
    if percent >= 100:
        return None if revenue or deals else ZERO
    # paid = list * (1 - p), so the discount is paid * p / (1 - p).
    return (revenue * percent / (Decimal(100) - percent)).quantize(CENT)


def _money(value: object) -> Decimal:
    return money_round(value)
