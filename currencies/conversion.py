"""Conversion to the company currency, in SQL: a correlated look-up of the rate table
inside the aggregate (`SUM(amount * (SELECT rate ... LIMIT 1))`), exact on PostgreSQL's
numeric. Figures are rounded to cents once, after the sum (`money_round`).

Also the write-side check: a foreign amount is accepted only when a rate applies to its
rate date, so every stored amount converts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, Min, OuterRef, Subquery, Value, When

from currencies.codes import company_currency
from currencies.models import RATE_DIGITS, ExchangeRate
from currencies.records import MoneyRecord

CENT = Decimal("0.01")
# Wide enough for an exact product of a 12-digit amount and a 10-decimal rate.
EXACT = models.DecimalField(max_digits=40, decimal_places=12)
RATE = models.DecimalField(**RATE_DIGITS)


def money_round(value: object) -> Decimal:
    """An exact sum to cents, half to even (once per figure, after the sum)."""
    if value is None:
        return Decimal("0.00")
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_EVEN)


def rate_expression(record: MoneyRecord, *, today: date) -> models.Expression:
    """The rate of each row of `record`'s model: 1 for the company currency, else the
    latest rate on or before the row's rate date (NULL when none: writes make sure there
    is one, and a rate that rows depend on cannot be deleted)."""
    day = record.rate_day(today, OuterRef)
    latest = (
        ExchangeRate.objects.filter(currency=OuterRef(record.currency), day__lte=day)
        .order_by("-day")
        .values("rate")[:1]
    )
    return Case(
        When(**{record.currency: company_currency()}, then=Value(Decimal(1), output_field=RATE)),
        default=Subquery(latest, output_field=RATE),
        output_field=RATE,
    )


def converted(record: MoneyRecord, *, today: date, amount: str | None = None) -> models.Expression:
    """`amount x rate` of each row of `record`'s model, exact, in the company currency
    (`amount`: a path to the amount field when the query starts elsewhere)."""
    return models.ExpressionWrapper(
        F(amount or record.amount) * rate_expression(record, today=today), output_field=EXACT
    )


def converted_sum(queryset: models.QuerySet, record: MoneyRecord, *, today: date):
    """The exact converted total of `queryset` (None when empty): one query."""
    total = queryset.order_by().aggregate(total=models.Sum(converted(record, today=today)))
    return total["total"]


def rate_on(*, currency: str, day: date) -> Decimal | None:
    """The rate that converts `currency` on `day` (1 for the company currency)."""
    if currency == company_currency():
        return Decimal(1)
    return (
        ExchangeRate.objects.filter(currency=currency, day__lte=day)
        .order_by("-day")
        .values_list("rate", flat=True)
        .first()
    )


def first_rate_days(currencies: Iterable[str]) -> dict[str, date]:
    """{currency: its earliest rate's day}: a rate applies to every day from then on."""
    wanted = set(currencies) - {company_currency()}
    if not wanted:
        return {}
    rows = ExchangeRate.objects.filter(currency__in=wanted).values("currency")
    return dict(rows.annotate(first=Min("day")).values_list("currency", "first").order_by())


def missing_rate_message(currency: str, day: date, first: date | None) -> str:
    since = f"; its rates start on {first:%Y-%m-%d}" if first else "; it has no rates yet"
    return (
        f"No {currency} rate on or before {day:%Y-%m-%d}{since}. A manager can enter one "
        f"under Exchange rates, in {company_currency()} per {currency}."
    )


def rate_required(*, currency: str, day: date, field: str = "currency") -> None:
    """Refuse (ValidationError naming `field`) an amount in `currency` that no rate
    converts on `day`. One query, none for the company currency."""
    if currency == company_currency():
        return
    first = first_rate_days([currency]).get(currency)
    if first is None or day < first:
        raise ValidationError({field: missing_rate_message(currency, day, first)})
