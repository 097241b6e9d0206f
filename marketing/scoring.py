"""Lead scoring: engagement points that decay, fit points for field values, and the MQL
hand-off to sales.

score = Σ over the lead's touches of points[kind] * 2^(-age_days / half_life)
        + Σ over fit fields of the points of the rule matching the lead's value,
rounded to two decimals. The recompute is one UPDATE over all leads (a correlated
aggregate per lead, evaluated by the database), writing only rows whose score changed.
"""

import math
from collections.abc import Iterable, Mapping
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    Case,
    Expression,
    F,
    FloatField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Exp, Greatest
from django.utils import timezone

from funnel.services import leads_move_bulk
from funnel.stages import Cause, Stage
from leads.models import Lead
from marketing.models import FitRule, ScoringRules, Touch, TouchKind, default_touch_points
from marketing.sql import AgeDays, RoundScore

MAX_POINTS = 1000.0
FIT_FIELDS = [choice.value for choice in FitRule.Field]


def scoring_rules_get() -> ScoringRules:
    """The rules row (created by migration 0003); defaults if someone deleted it."""
    rules = ScoringRules.objects.filter(pk=ScoringRules.SINGLETON_ID).first()
    if rules is None:
        from django.conf import settings

        rules = ScoringRules(
            pk=ScoringRules.SINGLETON_ID,
            touch_points=default_touch_points(),
            mql_threshold=settings.FUNNEL_MQL_THRESHOLD,
        )
    return rules


def scoring_rules_update(
    *,
    touch_points: Mapping[str, float],
    half_life_days: float,
    mql_threshold: float,
    fit_rules: Iterable[tuple[str, str, float]],
    actor: AbstractBaseUser | None = None,
) -> ScoringRules:
    """Replace the rules (fit rules wholesale) and queue a recompute of every score."""
    from marketing import tasks

    points = {
        kind: _points(touch_points.get(kind, 0.0), f"touch_points.{kind}") for kind in TouchKind
    }
    unknown = set(touch_points) - set(TouchKind.values)
    if unknown:
        raise ValidationError(
            {"touch_points": f"Unknown touch kinds: {', '.join(sorted(unknown))}."}
        )
    fits = _clean_fit_rules(fit_rules)
    rules = scoring_rules_get()
    rules.touch_points = {str(kind): value for kind, value in points.items()}
    rules.half_life_days = _number(half_life_days, "half_life_days", low=0.1, high=3650)
    rules.mql_threshold = _number(mql_threshold, "mql_threshold", low=0.01, high=1_000_000)
    if actor is not None and actor.is_authenticated:
        rules.updated_by = actor
    with transaction.atomic():
        rules.save()
        FitRule.objects.all().delete()
        FitRule.objects.bulk_create(
            FitRule(field=field, value=value, points=pts) for field, value, pts in fits
        )
        tasks.scores_recompute.delay_on_commit()
    return rules


def scores_recompute(*, leads: QuerySet[Lead] | None = None, now: datetime | None = None) -> int:
    """Recompute the score of `leads` (default: all) in one UPDATE; returns rows changed.

    Safe to run twice at once: both compute the same values, and a row already up to
    date is not written again.
    """
    score = score_expression(now=now or timezone.now())
    leads = Lead.objects.all() if leads is None else leads
    return leads.exclude(score=score).update(score=score)


def leads_qualify(*, now: datetime | None = None) -> list[int]:
    """Recompute scores, then hand every lead at or above the MQL threshold to sales.

    The move goes through the set-based mover (cause `rule`), which only takes rows still
    in `lead` and skips rows another worker has locked, so two runs at once never move a
    lead twice; the move to prospect queues owner assignment (funnel.followups).
    """
    scores_recompute(now=now)
    threshold = scoring_rules_get().mql_threshold
    return leads_move_bulk(
        candidates=Lead.objects.filter(stage=Stage.LEAD, score__gte=threshold),
        to_stage=Stage.PROSPECT,
        cause=Cause.RULE,
        reason=f"Score reached the MQL threshold ({threshold:g}).",
    )


# --- Expressions (shared with the score explanation, so both agree to the cent) --------


def score_expression(*, now: datetime) -> Expression:
    rules = scoring_rules_get()
    fit_rules = list(FitRule.objects.all())
    engagement = Subquery(
        Touch.objects.filter(lead=OuterRef("pk"))
        .order_by()
        .values("lead")
        .annotate(total=Sum(touch_points_now_expression(rules=rules, now=now)))
        .values("total"),
        output_field=FloatField(),
    )
    total = Coalesce(engagement, Value(0.0))
    for field in FIT_FIELDS:
        fit = fit_points_expression(field=field, fit_rules=fit_rules)
        if fit is not None:
            total = total + fit
    return RoundScore(total)


def touch_points_expression(*, rules: ScoringRules) -> Expression:
    """The undecayed points of a touch row's kind."""
    whens = [
        When(kind=kind, then=Value(rules.points_for(kind)))
        for kind in TouchKind.values
        if rules.points_for(kind)
    ]
    if not whens:
        return Value(0.0, output_field=FloatField())
    return Case(*whens, default=Value(0.0), output_field=FloatField())


def touch_points_now_expression(*, rules: ScoringRules, now: datetime) -> Expression:
    """A touch row's points decayed to `now` (a future touch counts in full)."""
    rate = -math.log(2) / rules.half_life_days
    age = Greatest(AgeDays(F("at"), Value(now)), Value(0.0))
    return touch_points_expression(rules=rules) * Exp(Value(rate) * age)


def fit_points_expression(*, field: str, fit_rules: list[FitRule]) -> Expression | None:
    whens = [
        When(**{f"{field}__iexact": rule.value}, then=Value(float(rule.points)))
        for rule in fit_rules
        if rule.field == field
    ]
    if not whens:
        return None
    return Case(*whens, default=Value(0.0), output_field=FloatField())


# --- Validation -------------------------------------------------------------------------


def _number(value: object, name: str, *, low: float, high: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError({name: "Enter a number."}) from None
    if not math.isfinite(number) or not low <= number <= high:
        raise ValidationError({name: f"Enter a number between {low:g} and {high:g}."})
    return number


def _points(value: object, name: str) -> float:
    return _number(value, name, low=-MAX_POINTS, high=MAX_POINTS)


def _clean_fit_rules(fit_rules: Iterable[tuple[str, str, float]]) -> list[tuple[str, str, float]]:
    cleaned: list[tuple[str, str, float]] = []
    seen: set[tuple[str, str]] = set()
    for field, value, points in fit_rules:
        if field not in FIT_FIELDS:
            raise ValidationError({"fit_rules": f"Unknown field {field!r}."})
        value = (value or "").strip()
        if not value or len(value) > 100 or "\x00" in value:
            raise ValidationError({"fit_rules": "Each value needs 1 to 100 characters."})
        key = (field, value.lower())
        if key in seen:
            raise ValidationError({"fit_rules": f"{value!r} appears twice for {field}."})
        seen.add(key)
        cleaned.append((field, value, _points(points, "fit_rules")))
    return cleaned
