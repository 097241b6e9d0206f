"""The date window every funnel figure is computed over.

A window is two dates, both inclusive, read in the site's time zone (`TIME_ZONE`): it
covers [since 00:00, until + 1 day 00:00) local time. Presets give the dashboard's date
range buttons; they are computed from "today" in the same time zone.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from django.utils import timezone

# Past this a window is a mistake (and month grouping would return hundreds of groups).
MAX_WINDOW_DAYS = 3660
# Keeps `until + 1 day` and month arithmetic inside what `date` can represent.
MIN_DATE = date(1970, 1, 1)
MAX_DATE = date(9998, 12, 31)


def site_timezone() -> tzinfo:
    """`TIME_ZONE`, not the per-request active zone: figures must not depend on who asks."""
    return timezone.get_default_timezone()


def site_today() -> date:
    return timezone.localtime(timezone.now(), site_timezone()).date()


@dataclass(frozen=True)
class Window:
    since: date
    until: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.since, time.min, tzinfo=site_timezone())

    @property
    def end(self) -> datetime:
        """Exclusive upper bound: midnight after `until`."""
        return datetime.combine(self.until + timedelta(days=1), time.min, tzinfo=site_timezone())

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    def months(self) -> list[date]:
        """First day of every calendar month the window touches, oldest first."""
        months = []
        current = self.since.replace(day=1)
        while current <= self.until:
            months.append(current)
            current = _add_months(current, 1)
        return months


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _last_day_of_month(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


# (key, label, function of today → Window). Order is the order of the dashboard buttons.
PRESETS: list[tuple[str, str]] = [
    ("last_30_days", "Last 30 days"),
    ("last_90_days", "Last 90 days"),
    ("this_month", "This month"),
    ("last_month", "Last month"),
    ("this_quarter", "This quarter"),
    ("last_quarter", "Last quarter"),
    ("year_to_date", "Year to date"),
    ("last_12_months", "Last 12 months"),
]
PRESET_KEYS = [key for key, _ in PRESETS]
DEFAULT_PRESET = "last_12_months"


def window_for_preset(preset: str, *, today: date | None = None) -> Window:
    window = _preset_window(preset, today or site_today())
    # Days before MIN_DATE are refused as input: a default window must be one a client
    # could send back (`?until=1970-01-05` starts on 1970-01-01, not in 1969).
    return Window(max(window.since, MIN_DATE), window.until)


def _preset_window(preset: str, today: date) -> Window:
    if preset == "last_30_days":
        return Window(today - timedelta(days=29), today)
    if preset == "last_90_days":
        return Window(today - timedelta(days=89), today)
    if preset == "this_month":
        return Window(today.replace(day=1), today)
    if preset == "last_month":
        first = _add_months(today.replace(day=1), -1)
        return Window(first, _last_day_of_month(first))
    if preset == "this_quarter":
        return Window(_quarter_start(today), today)
    if preset == "last_quarter":
        first = _add_months(_quarter_start(today), -3)
        return Window(first, _add_months(first, 3) - timedelta(days=1))
    if preset == "year_to_date":
        return Window(date(today.year, 1, 1), today)
    if preset == "last_12_months":
        # The twelve whole calendar months before this one, and this month so far: month
        # groups are whole, today's figures are in, and it never equals "Year to date"
        # (twelve months counting the current one did, every December).
        return Window(_add_months(today.replace(day=1), -12), today)
    raise ValueError(f"Unknown preset {preset!r}; expected one of: {', '.join(PRESET_KEYS)}.")


def default_window(*, today: date | None = None) -> Window:
    return window_for_preset(DEFAULT_PRESET, today=today)
