"""Rate-table test data."""

from datetime import date
from decimal import Decimal

from currencies.models import ExchangeRate


def rate(currency: str, day: str | date, value: str | Decimal) -> ExchangeRate:
    """One rate row: 1 `currency` = `value` company currency from `day`."""
    day = date.fromisoformat(day) if isinstance(day, str) else day
    return ExchangeRate.objects.create(currency=currency, day=day, rate=Decimal(str(value)))
