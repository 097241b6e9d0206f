"""Quotas: a revenue target for a rep, a team or the whole sales team in a calendar month
or quarter."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from sales.errors import SalesConflict
from sales.models import MAX_AMOUNT, Quota, Team
from sales.periods import Period, period_containing, validate_period_day
from sales.services.owners import active_sales_reps


def quota_period_clean(*, period: str, starts_on: date, ends_on: date | None = None) -> Period:
    """The calendar period starting on `starts_on`. `ends_on`, when given, must be its
    last day: an end before the start is an inverted period and refused."""
    if period not in Quota.Period.values:
        raise ValidationError({"period": f"Choose one of: {', '.join(Quota.Period.values)}."})
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError(
            {"ends_on": f"The period ends ({ends_on}) before it starts ({starts_on})."}
        )
    for field, day in (("starts_on", starts_on), ("ends_on", ends_on)):
        try:
            validate_period_day(day)
        except ValidationError as exc:
            raise ValidationError({field: exc.messages}) from None
    calendar_period = period_containing(period, starts_on)
    if calendar_period.starts_on != starts_on:
        raise ValidationError(
            {
                "starts_on": f"A {period} starts on its first day; did you mean "
                f"{calendar_period.starts_on}?"
            }
        )
    if ends_on is not None and ends_on != calendar_period.ends_on:
        raise ValidationError(
            {"ends_on": f"A {period} starting {starts_on} ends on {calendar_period.ends_on}."}
        )
    return calendar_period


def quota_target_clean(value: object) -> Decimal:
    try:
        target = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({"target": "Enter an amount such as 50000."}) from None
    if not target.is_finite() or target <= 0:
        raise ValidationError({"target": "A target is a positive amount."})
    if target > MAX_AMOUNT:
        raise ValidationError(
            {"target": f"A target is at most {MAX_AMOUNT:,} {settings.FUNNEL_CURRENCY}."}
        )
    if target != target.quantize(Decimal("0.01")):
        raise ValidationError({"target": "Amounts have at most two decimal places."})
    return target


def _owner_clean(owner: AbstractBaseUser | None) -> AbstractBaseUser | None:
    if owner is not None and not active_sales_reps().filter(pk=owner.pk).exists():
        raise ValidationError({"owner": "Quotas are for active sales reps (or the team)."})
    return owner


def quota_create(
    *,
    owner: AbstractBaseUser | None,
    period: str,
    starts_on: date,
    target: Decimal,
    created_by: AbstractBaseUser,
    ends_on: date | None = None,
    team: Team | None = None,
) -> Quota:
    """A rep's quota (`owner`), a named team's (`team`), or with neither the whole sales
    team's. One quota per rep (or team) and period."""
    calendar_period = quota_period_clean(period=period, starts_on=starts_on, ends_on=ends_on)
    target = quota_target_clean(target)
    owner = _owner_clean(owner)
    if owner is not None and team is not None:
        raise ValidationError({"team": "A quota is for a rep or for a team, not both."})
    existing = Quota.objects.filter(
        owner=owner, team=team, period=period, starts_on=calendar_period.starts_on
    )
    if existing.exists():
        raise _duplicate(owner, calendar_period, team)
    try:
        with transaction.atomic():
            return Quota.objects.create(
                owner=owner,
                team=team,
                period=period,
                starts_on=calendar_period.starts_on,
                ends_on=calendar_period.ends_on,
                target=target,
                created_by=created_by,
            )
    except IntegrityError:
        # Created by a concurrent request between the check and the insert.
        raise _duplicate(owner, calendar_period, team) from None


def _duplicate(
    owner: AbstractBaseUser | None, period: Period, team: Team | None = None
) -> SalesConflict:
    who = owner.get_username() if owner is not None else team.name if team else "the team"
    return SalesConflict(
        f"There is already a quota for {who} for {period.label()}; change its target instead.",
        code="quota_exists",
    )


def quota_update(*, quota_id: int, target: Decimal, actor: AbstractBaseUser) -> Quota:
    """Only the target changes: a quota for another person or period is another quota."""
    target = quota_target_clean(target)
    with transaction.atomic():
        quota = Quota.objects.select_for_update().get(pk=quota_id)
        if quota.target != target:
            quota.target = target
            quota.save(update_fields=["target", "updated_at"])
    return quota


def quota_set(
    *,
    owner: AbstractBaseUser | None,
    period: str,
    starts_on: date,
    target: Decimal,
    actor: AbstractBaseUser,
    team: Team | None = None,
) -> Quota:
    """Create the quota, or change the target of the one that exists (the quota page)."""
    calendar_period = quota_period_clean(period=period, starts_on=starts_on)
    quota = Quota.objects.filter(
        owner=owner, team=team, period=period, starts_on=calendar_period.starts_on
    ).first()
    if quota is not None:
        return quota_update(quota_id=quota.pk, target=target, actor=actor)
    return quota_create(
        owner=owner,
        team=team,
        period=period,
        starts_on=starts_on,
        target=target,
        created_by=actor,
    )


def quota_delete(*, quota_id: int, actor: AbstractBaseUser) -> None:
    Quota.objects.filter(pk=quota_id).delete()
