"""How every page (and every CSV export that copies the screen) writes numbers.

One place so a figure reads the same everywhere: money always with its currency (a
record's own, or the company currency for report figures), a rate as a percentage with
one decimal, ROI as a signed percentage ("+1,657.9 %"). A figure with no denominator is
"—", never zero.
"""

from decimal import Decimal

from django.conf import settings

EMPTY = "—"
Number = int | float | Decimal


def currency() -> str:
    """The company currency: every report figure is in it."""
    return settings.FUNNEL_CURRENCY


def amount_text(value: Number | None, places: int = 2) -> str:
    """1234.5 → "1,234.50" (no currency: for a column whose header names it)."""
    if value is None:
        return EMPTY
    return f"{value:,.{int(places)}f}"


def money_text(value: Number | None, code: str | None = None, places: int = 2) -> str:
    """1234.5 → "1,234.50 USD": in `code` (a deal's or a spend line's own currency), else
    the company currency (report figures, budgets, targets)."""
    if value is None:
        return EMPTY
    return f"{amount_text(value, places)} {code or currency()}"


def exchange_rate_text(rate: Decimal | None) -> str:
    """A rate as entered, without trailing zeros: Decimal("1.0825000000") → "1.0825"."""
    if rate is None:
        return EMPTY
    text = f"{rate:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent_text(ratio: Number | None) -> str:
    """0.253 → "25.3 %"."""
    if ratio is None:
        return EMPTY
    return f"{float(ratio) * 100:,.1f} %"


def roi_text(ratio: Number | None) -> str:
    """(revenue - spend) ÷ spend as a signed percentage: 16.58 → "+1,658.0 %"."""
    if ratio is None:
        return EMPTY
    return f"{float(ratio) * 100:+,.1f} %"


def person_name(user) -> str:
    """A person's full name, their username when they have none."""
    if user is None:
        return ""
    return (user.get_full_name() or "").strip() or user.get_username()
