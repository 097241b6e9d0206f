"""Marketing reads that cross relations or aggregate (each has a query-count test)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from currencies.conversion import EXACT, converted
from currencies.records import SPEND
from leads.models import Lead
from marketing.models import Campaign, FitRule, ImportJob, Spend, Touch
from marketing.scoring import (
    FIT_FIELDS,
    fit_points_expression,
    scoring_rules_get,
    touch_points_expression,
    touch_points_now_expression,
)

MONEY = DecimalField(max_digits=14, decimal_places=2)
EXPLAINED_TOUCHES = 50


def campaigns_by_utm_name(*, names: Iterable[str]) -> dict[str, int]:
    """Campaign ids by lower-cased UTM name, for names given in any letter case. One query,
    served by the unique index on lower(utm_campaign)."""
    lowered = {name.strip().lower() for name in names if name.strip()}
    if not lowered:
        return {}
    rows = (
        Campaign.objects.annotate(utm_lower=Lower("utm_campaign"))
        .filter(utm_lower__in=lowered)
        .values_list("utm_lower", "pk")
    )
    return dict(rows)


def campaigns_with_totals(*, queryset: QuerySet[Campaign] | None = None) -> QuerySet[Campaign]:
    """Campaigns with `spend_total` (all spend so far) and `leads_count` (leads they
    sourced). Subqueries, not joins: two joined aggregates would multiply each other."""
    # In the company currency: each line converted at its day (currencies.records).
    spend = (
        Spend.objects.filter(campaign=OuterRef("pk"))
        .order_by()
        .values("campaign")
        .annotate(total=Sum(converted(SPEND, today=date.min)))
        .values("total")
    )
    leads = (
        Lead.objects.filter(source_campaign=OuterRef("pk"))
        .order_by()
        .values("source_campaign")
        .annotate(n=Count("pk"))
        .values("n")
    )
    campaigns = Campaign.objects.all() if queryset is None else queryset
    return campaigns.select_related("owner").annotate(
        # Exact; pages and the API show it to the cent (half to even, as every figure).
        spend_total=Coalesce(Subquery(spend, output_field=EXACT), Value(0, output_field=EXACT)),
        leads_count=Coalesce(Subquery(leads), Value(0)),
    )


def campaign_spend(*, campaign: Campaign, limit: int | None = 15) -> list[Spend]:
    """A campaign's latest ledger lines (all of them with `limit` None)."""
    lines = Spend.objects.filter(campaign=campaign).select_related("created_by")
    return list(lines.order_by("-day", "-id")[:limit])


def campaign_recent_leads(*, campaign: Campaign, limit: int = 20) -> list[Lead]:
    return list(
        Lead.objects.filter(source_campaign=campaign)
        .select_related("owner")
        .order_by("-created_at", "-id")[:limit]
    )


def campaign_recent_touches(*, campaign: Campaign, limit: int = 20) -> list[Touch]:
    return list(
        Touch.objects.filter(campaign=campaign)
        .select_related("lead")
        .order_by("-at", "-id")[:limit]
    )


def import_jobs_recent(*, limit: int = 20) -> list[ImportJob]:
    return list(
        ImportJob.objects.select_related("created_by", "campaign").order_by("-created_at", "-id")[
            :limit
        ]
    )


# --- Score explanation ------------------------------------------------------------------


@dataclass(frozen=True)
class TouchScore:
    touch: Touch
    points_then: float
    points_now: float


@dataclass(frozen=True)
class FitScore:
    field: str
    label: str
    value: str
    points: float


@dataclass(frozen=True)
class ScoreExplanation:
    touches: list[TouchScore]  # The latest EXPLAINED_TOUCHES, newest first.
    touch_count: int
    engagement_now: float  # Over every touch, not only those listed.
    fit: list[FitScore]
    total_now: float
    stored_score: float
    threshold: float
    half_life_days: float
    at: datetime

    @property
    def older_touches(self) -> int:
        return self.touch_count - len(self.touches)

    @property
    def fit_total(self) -> float:
        return round(sum(item.points for item in self.fit), 2)

    @property
    def reaches_threshold(self) -> bool:
        return self.total_now >= self.threshold


def lead_score_explanation(*, lead: Lead, now: datetime | None = None) -> ScoreExplanation:
    """Why `lead` has its score: each touch's points then and now, and the fit points.
    Computed with the very expressions of the recompute, so the figures match it."""
    now = now or timezone.now()
    rules = scoring_rules_get()
    fit_rules = list(FitRule.objects.all())
    points_then = touch_points_expression(rules=rules)
    points_now = touch_points_now_expression(rules=rules, now=now)
    touches = (
        Touch.objects.filter(lead=lead)
        .select_related("campaign")
        .annotate(points_then=points_then, points_now=points_now)
        .order_by("-at", "-id")[:EXPLAINED_TOUCHES]
    )
    listed = [TouchScore(t, round(t.points_then, 2), round(t.points_now, 2)) for t in touches]
    totals = Touch.objects.filter(lead=lead).aggregate(n=Count("pk"), total=Sum(points_now))
    fit: list[FitScore] = []
    fit_expressions = {
        field: expr
        for field in FIT_FIELDS
        if (expr := fit_points_expression(field=field, fit_rules=fit_rules)) is not None
    }
    if fit_expressions:
        values = Lead.objects.filter(pk=lead.pk).aggregate(
            **{f"fit_{field}": Sum(expr) for field, expr in fit_expressions.items()}
        )
        for field in fit_expressions:
            points = values[f"fit_{field}"] or 0.0
            if points:
                fit.append(
                    FitScore(
                        field=field,
                        label=FitRule.Field(field).label,
                        value=getattr(lead, field),
                        points=round(points, 2),
                    )
                )
    engagement = totals["total"] or 0.0
    return ScoreExplanation(
        touches=listed,
        touch_count=totals["n"],
        engagement_now=round(engagement, 2),
        fit=fit,
        total_now=round(engagement + sum(item.points for item in fit), 2),
        stored_score=lead.score,
        threshold=rules.mql_threshold,
        half_life_days=rules.half_life_days,
        at=now,
    )
