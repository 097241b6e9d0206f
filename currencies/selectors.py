"""Reads of the rate table for its page (each has a query-count test)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Max, OuterRef, Subquery

from currencies.models import ExchangeRate

SHOWN = 40


@dataclass(frozen=True)
class CurrencyRates:
    currency: str
    rates: int
    first_day: date
    latest_day: date
    latest_rate: Decimal


def rates_by_currency() -> list[CurrencyRates]:
    """Per currency: how many rates, from when, and the latest. One query."""
    latest = ExchangeRate.objects.filter(currency=OuterRef("currency")).order_by("-day")
    rows = (
        ExchangeRate.objects.order_by()
        .values("currency")
        .annotate(
            rates=Count("pk"),
            first_day=Subquery(latest.reverse().values("day")[:1]),
            latest_day=Max("day"),
            latest_rate=Subquery(latest.values("rate")[:1]),
        )
        .order_by("currency")
    )
    return [CurrencyRates(**row) for row in rows]


def rates_listed(*, currency: str | None, limit: int = SHOWN) -> list[ExchangeRate]:
    """The newest rates (of one currency, or all), newest day first."""
    rows = ExchangeRate.objects.select_related("created_by").order_by("-day", "currency", "-id")
    if currency:
        rows = rows.filter(currency=currency)
    return list(rows[:limit])
