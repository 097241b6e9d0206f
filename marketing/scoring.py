"""Lead scoring: engagement points that decay, fit points for field values, and the MQL
hand-off to sales.

score = Σ over the lead's touches of points[kind] * 2^(-age_days / half_life)
        + Σ over fit fields of the points of the rule matching the lead's value,
rounded to two decimals. A recompute is one UPDATE (a correlated aggregate per lead,
evaluated by the database), writing only rows whose score changed.

Two schedules keep the stored scores current (docs/performance.md, "Lead scoring"):
- every minute, only leads whose inputs were written since the last run (a touch added or
  edited, the lead's fields edited), found through a watermark, then the MQL promotion;
- hourly and after a rules change, every lead (decay: positive points wear down, negative
  ones wear off, which can lift a lead over the threshold with nothing written), then the
  same promotion.
"""

import math
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from django.conf import settings
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
from marketing.models import (
    FitRule,
    ScoringRules,
    ScoringWatermark,
    Touch,
    TouchKind,
    default_touch_points,
)
from marketing.sql import AgeDays, RoundScore
from outbox.services import outbox_add

MAX_POINTS = 1000.0
FIT_FIELDS = [choice.value for choice in FitRule.Field]


def scoring_rules_get() -> ScoringRules:
    """The rules row (created by migration 0003); defaults if someone deleted it."""
    rules = ScoringRules.objects.filter(pk=ScoringRules.SINGLETON_ID).first()
    if rules is None:
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
    """Replace the rules (fit rules wholesale) and queue the full run: every score
    recomputed with the new rules, then the leads they lift over the threshold promoted."""

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
        outbox_add(task="marketing.tasks.scores_recompute")
    return rules


def scores_recompute(*, leads: QuerySet[Lead] | None = None, now: datetime | None = None) -> int:
    """Recompute the score of `leads` (default: all) in one UPDATE; returns rows changed.

    Safe to run twice at once: both compute the same values, and a row already up to
    date is not written again.
    """
    score = score_expression(now=now or timezone.now())
    return _scores_write(Lead.objects.all() if leads is None else leads, score=score)


def _scores_write(leads: QuerySet[Lead], *, score: Expression) -> int:
    return leads.exclude(score=score).update(score=score)


def leads_qualify(*, full: bool = False, now: datetime | None = None) -> list[int]:
    """Bring the stored scores up to date (`full`: every lead; otherwise the leads whose
    inputs changed since the last run), then hand every lead at or above the MQL threshold
    to sales. Returns the ids moved."""
    scores_refresh(full=full, now=now)
    return leads_promote()


def scores_refresh(*, full: bool = False, now: datetime | None = None) -> int | None:
    """Rescore what changed since the watermark (or everything), and advance the watermark
    in the same transaction. Returns the rows rewritten; None when another minute run holds
    the watermark (it is rescoring the same leads, so this one leaves them to it).

    The watermark row is locked while scoring, so runs never update the same leads at once
    (two UPDATEs taking row locks in different orders could deadlock). The minute run skips
    a held lock; the full run waits for it.

    A run reads back SCORING_WATERMARK_OVERLAP_SECONDS past the watermark: a row is stamped
    (Touch.recorded_at, Lead.updated_at) before its transaction commits, so a write stamped
    before the last run but committed after it is seen by this one. A lead whose inputs
    change without a stamp (a touch deleted, rules edited in the admin, decay) waits for
    the full run.
    """
    ScoringWatermark.objects.get_or_create(pk=ScoringWatermark.SINGLETON_ID)
    with transaction.atomic():
        mark = (
            ScoringWatermark.objects.select_for_update(skip_locked=not full)
            .filter(pk=ScoringWatermark.SINGLETON_ID)
            .first()
        )
        if mark is None:
            return None
        # Taken once the lock is held, so the watermark never moves backwards.
        started = timezone.now()
        now = now or started
        if full or mark.scored_through is None:
            changed = scores_recompute(now=now)
        else:
            since = mark.scored_through - timedelta(
                seconds=settings.SCORING_WATERMARK_OVERLAP_SECONDS
            )
            # Two statements, each served by its own index (an OR of both would scan
            # every lead); a lead in both is computed twice and written at most once.
            edited = Lead.objects.filter(updated_at__gte=since)
            touched = Lead.objects.filter(
                pk__in=Touch.objects.filter(recorded_at__gte=since).values("lead_id")
            )
            score = score_expression(now=now)
            changed = _scores_write(edited, score=score) + _scores_write(touched, score=score)
        mark.scored_through = started
        mark.save(update_fields=["scored_through"])
    return changed


def leads_promote() -> list[int]:
    """Hand every lead still in `lead` with a stored score at or above the MQL threshold
    to sales; returns the ids moved.

    The candidates come from the partial index `lead_open_score_idx` (score, where stage is
    `lead`). The move goes through the set-based mover (cause `rule`), which only takes
    rows still in `lead` and skips rows another worker has locked, so two runs at once
    never move a lead twice; the move to prospect queues owner assignment
    (funnel.followups).
    """
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
    """The undecayed points of a touch row's kind (none for an unscored touch)."""
    whens = [
        When(kind=kind, then=Value(rules.points_for(kind)))
        for kind in TouchKind.values
        if rules.points_for(kind)
    ]
    if not whens:
        return Value(0.0, output_field=FloatField())
    whens.insert(0, When(scored=False, then=Value(0.0)))
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
