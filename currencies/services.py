"""Writes to the rate table: managers enter, correct, import and delete rates.

A rate that stored amounts depend on (their only rate on or before their rate date) is
not deleted: every figure in another currency must keep converting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from currencies.codes import company_currency, currency_code_clean
from currencies.models import MAX_RATE, RATE_DIGITS, ExchangeRate
from currencies.records import RECORDS
from funnel.errors import Conflict
from funnel.metrics.window import MIN_DATE, site_today
from funnel.roles import is_manager

RATE_PLACES = RATE_DIGITS["decimal_places"]


class RateInUse(Conflict):
    pass


@dataclass(frozen=True)
class RateLine:
    currency: str
    day: date
    rate: object


def _manager_required(actor: AbstractBaseUser | None) -> None:
    if actor is not None and not is_manager(actor):
        raise PermissionDenied("Exchange rates are entered by managers.")


def rate_value_clean(value: object, *, field: str = "rate") -> Decimal:
    """A rate: a positive decimal, at most MAX_RATE and RATE_PLACES decimals."""
    try:
        rate = Decimal(str(value).strip()) if value is not None else None
    except (InvalidOperation, ValueError):
        rate = None
    if rate is None or not rate.is_finite():
        raise ValidationError({field: "Enter a rate such as 1.0825."})
    if rate <= 0:
        raise ValidationError({field: "A rate is more than zero."})
    if rate > MAX_RATE:
        raise ValidationError({field: f"A rate is at most {MAX_RATE:,}."})
    if rate != rate.quantize(Decimal(1).scaleb(-RATE_PLACES)):
        raise ValidationError({field: f"A rate has at most {RATE_PLACES} decimal places."})
    return rate


def rate_currency_clean(value: object, *, field: str = "currency") -> str:
    code = currency_code_clean(value, field=field)
    if code == company_currency():
        raise ValidationError(
            {field: f"{code} is the company currency: it always converts at 1 and has no rates."}
        )
    return code


def rate_day_clean(day: date, *, today: date | None = None, field: str = "day") -> date:
    # A rate is a fact about a day that has come: a future one is a typo (2072 for 2027).
    today = today or site_today()
    if day < MIN_DATE:
        raise ValidationError({field: "Enter a day in 1970 or later."})
    if day > today:
        raise ValidationError({field: f"A rate is for a day up to today ({today:%Y-%m-%d})."})
    return day


def rates_save(
    *, lines: list[RateLine], actor: AbstractBaseUser | None
) -> tuple[list[ExchangeRate], int, int]:
    """Enter rates, all or none: a (currency, day) that has a rate gets the new value.
    Returns (rows, created, updated). Raises ValidationError naming the field."""
    _manager_required(actor)
    today = site_today()
    cleaned: dict[tuple[str, date], Decimal] = {}
    for line in lines:
        key = (rate_currency_clean(line.currency), rate_day_clean(line.day, today=today))
        cleaned[key] = rate_value_clean(line.rate)
    created_by = actor if actor is not None and actor.is_authenticated else None
    now = timezone.now()
    with transaction.atomic():
        existing = _existing(cleaned)
        updated = [row for key, row in existing.items() if row.rate != cleaned[key]]
        for row in updated:
            row.rate = cleaned[(row.currency, row.day)]
            row.updated_at = now
        ExchangeRate.objects.bulk_update(updated, ["rate", "updated_at"], batch_size=500)
        new = [
            ExchangeRate(currency=c, day=d, rate=r, created_by=created_by, created_at=now)
            for (c, d), r in cleaned.items()
            if (c, d) not in existing
        ]
        # A concurrent save of the same (currency, day) loses to the unique constraint: 409.
        ExchangeRate.objects.bulk_create(new, batch_size=500)
    rows = list(existing.values()) + new
    return rows, len(new), len(updated)


def _existing(keys) -> dict[tuple[str, date], ExchangeRate]:
    """The rows already there for `keys`, locked: one range read, whatever the count."""
    if not keys:
        return {}
    days = [day for _, day in keys]
    rows = ExchangeRate.objects.select_for_update().filter(
        currency__in={currency for currency, _ in keys}, day__gte=min(days), day__lte=max(days)
    )
    return {(r.currency, r.day): r for r in rows if (r.currency, r.day) in keys}


def rate_update(
    *, rate: ExchangeRate, value: object, actor: AbstractBaseUser | None
) -> ExchangeRate:
    """Correct a rate's value (figures that use it change with it). Its currency and
    day are the rate's identity: enter a new one and delete this one instead."""
    _manager_required(actor)
    new = rate_value_clean(value)
    if new != rate.rate:
        rate.rate = new
        rate.save(update_fields=["rate", "updated_at"])
    return rate


def rate_delete(*, rate: ExchangeRate, actor: AbstractBaseUser | None) -> None:
    """Delete a rate, unless amounts depend on it: a rate is needed when it is its
    currency's earliest and records have a rate date between it and the next rate."""
    _manager_required(actor)
    with transaction.atomic():
        # Serialises deletes of one currency's rates, so two cannot each leave the other.
        rows = list(
            ExchangeRate.objects.select_for_update()
            .filter(currency=rate.currency)
            .order_by("day")
            .values_list("pk", "day")[:2]
        )
        if rows and rows[0][0] == rate.pk:
            next_day = rows[1][1] if len(rows) > 1 else None
            _refuse_if_needed(rate, next_day)
        ExchangeRate.objects.filter(pk=rate.pk).delete()


def _refuse_if_needed(rate: ExchangeRate, next_day: date | None) -> None:
    today = site_today()
    for record in RECORDS:
        rows = record.model.objects.filter(**{record.currency: rate.currency}).annotate(
            rate_day=record.rate_day(today)
        )
        rows = rows.filter(rate_day__gte=rate.day)
        if next_day is not None:
            rows = rows.filter(rate_day__lt=next_day)
        count = rows.count()
        if count:
            span = f"on or after {rate.day:%Y-%m-%d}"
            if next_day:
                span = f"from {rate.day:%Y-%m-%d} to before {next_day:%Y-%m-%d}"
            raise RateInUse(
                f"{count:,} {record.described} in {rate.currency} are converted with this "
                f"rate (rate dates {span}) and no earlier rate; enter an earlier rate first, "
                "or correct this one instead.",
                code="rate_in_use",
            )
