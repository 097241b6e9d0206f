"""Quota periods: calendar months and quarters, in the site's time zone. Pure functions."""

import calendar
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

MONTH = "month"
QUARTER = "quarter"

# The days a period may be asked for: its previous and next periods (the quota page's
# links) must be real dates too, and `date` stops at years 1 and 9999. Same bounds as the
# dashboard's windows, so a dashboard date is always a valid quota day.
FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(9998, 12, 31)
DAY_RANGE_MESSAGE = f"Pick a date between {FIRST_DAY} and {LAST_DAY}."
# The same bounds for the OpenAPI schema (a `date` has no minimum there): years 1970-9998.
DAY_RANGE_PATTERN = (
    r"^(19[7-9][0-9]|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-[0-9]{2}-[0-9]{2}$"
)


@dataclass(frozen=True)
class Period:
    kind: str
    starts_on: date
    ends_on: date

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    def label(self) -> str:
        if self.kind == QUARTER:
            return f"Q{(self.starts_on.month - 1) // 3 + 1} {self.starts_on.year}"
        return self.starts_on.strftime("%B %Y")

    def elapsed_fraction(self, today: date) -> float:
        """Share of the period's days gone by at the end of `today` (0 before, 1 after)."""
        if today < self.starts_on:
            return 0.0
        if today >= self.ends_on:
            return 1.0
        return ((today - self.starts_on).days + 1) / self.days

    def previous(self) -> "Period":
        return period_containing(self.kind, _month_before(self.starts_on))

    def next(self) -> "Period":
        return period_containing(self.kind, date.fromordinal(self.ends_on.toordinal() + 1))


def _month_before(day: date) -> date:
    return date(day.year - 1, 12, 1) if day.month == 1 else date(day.year, day.month - 1, 1)


def validate_period_day(day: date | None) -> None:
    """A validator for every input day that becomes a period (forms, filters, serializers,
    services): out of range is a field error, never a `date` overflow later on."""
    if day is not None and not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError(DAY_RANGE_MESSAGE, code="out_of_range")


def period_containing(kind: str, day: date) -> Period:
    if kind == QUARTER:
        first_month = (day.month - 1) // 3 * 3 + 1
        last_month = first_month + 2
        return Period(
            QUARTER,
            date(day.year, first_month, 1),
            date(day.year, last_month, calendar.monthrange(day.year, last_month)[1]),
        )
    if kind == MONTH:
        last = calendar.monthrange(day.year, day.month)[1]
        return Period(MONTH, date(day.year, day.month, 1), date(day.year, day.month, last))
    raise ValueError(f"Unknown period {kind!r}.")


def today() -> date:
    """Today in the site's time zone: quota periods and "due today" follow it."""
    return timezone.localdate()
