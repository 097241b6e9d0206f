"""The dashboard's date window at awkward days: presets on the last day of a quarter, on
31 Dec / 1 Jan and 29 Feb; window bounds on both DST changes in a non-UTC site zone; a
move at 23:59:59 and at 00:00:00 local time. Expected values are written out by hand."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from funnel.metrics.selectors import funnel_report
from funnel.metrics.window import Window, site_today, window_for_preset
from funnel.services import lead_transition
from funnel.stages import Cause, Stage
from tests.factories import LeadFactory

D = date.fromisoformat

# today -> preset -> (since, until)
PRESETS = [
    ("2027-03-31", "last_30_days", "2027-03-02", "2027-03-31"),
    ("2027-03-31", "last_90_days", "2027-01-01", "2027-03-31"),
    ("2027-03-31", "this_month", "2027-03-01", "2027-03-31"),
    ("2027-03-31", "last_month", "2027-02-01", "2027-02-28"),
    ("2027-03-31", "this_quarter", "2027-01-01", "2027-03-31"),
    ("2027-03-31", "last_quarter", "2026-10-01", "2026-12-31"),
    ("2027-03-31", "year_to_date", "2027-01-01", "2027-03-31"),
    ("2027-03-31", "last_12_months", "2026-03-01", "2027-03-31"),
    ("2026-12-31", "last_month", "2026-11-01", "2026-11-30"),
    ("2026-12-31", "this_quarter", "2026-10-01", "2026-12-31"),
    ("2026-12-31", "last_12_months", "2025-12-01", "2026-12-31"),
    ("2027-01-01", "last_30_days", "2026-12-03", "2027-01-01"),
    ("2027-01-01", "this_month", "2027-01-01", "2027-01-01"),
    ("2027-01-01", "last_month", "2026-12-01", "2026-12-31"),
    ("2027-01-01", "this_quarter", "2027-01-01", "2027-01-01"),
    ("2027-01-01", "last_quarter", "2026-10-01", "2026-12-31"),
    ("2027-01-01", "year_to_date", "2027-01-01", "2027-01-01"),
    ("2027-01-01", "last_12_months", "2026-01-01", "2027-01-01"),
    ("2028-02-29", "last_30_days", "2028-01-31", "2028-02-29"),
    ("2028-02-29", "this_month", "2028-02-01", "2028-02-29"),
    ("2028-02-29", "last_month", "2028-01-01", "2028-01-31"),
    ("2028-02-29", "last_quarter", "2027-10-01", "2027-12-31"),
    ("2028-02-29", "last_12_months", "2027-02-01", "2028-02-29"),
    ("2028-03-31", "last_month", "2028-02-01", "2028-02-29"),
    ("2028-03-31", "last_90_days", "2028-01-02", "2028-03-31"),
]


@pytest.mark.parametrize(("today", "preset", "since", "until"), PRESETS)
def test_presets_at_awkward_days(today, preset, since, until):
    assert window_for_preset(preset, today=D(today)) == Window(D(since), D(until))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# (zone, day, first instant, first instant of the next day) in UTC: a DST day is 23 or 25
# hours long.
DAY_BOUNDS = [
    ("Europe/Berlin", "2027-03-28", "2027-03-27T23:00:00", "2027-03-28T22:00:00"),
    ("Europe/Berlin", "2027-10-31", "2027-10-30T22:00:00", "2027-10-31T23:00:00"),
    ("Europe/Berlin", "2027-12-31", "2027-12-30T23:00:00", "2027-12-31T23:00:00"),
    ("America/New_York", "2027-03-14", "2027-03-14T05:00:00", "2027-03-15T04:00:00"),
    ("America/New_York", "2027-11-07", "2027-11-07T04:00:00", "2027-11-08T05:00:00"),
    ("America/New_York", "2028-02-29", "2028-02-29T05:00:00", "2028-03-01T05:00:00"),
]


@pytest.mark.parametrize(("zone", "day", "start", "end"), DAY_BOUNDS)
def test_a_one_day_window_covers_the_local_day(settings, zone, day, start, end):
    settings.TIME_ZONE = zone

    window = Window(D(day), D(day))

    assert (window.start, window.end) == (utc(start), utc(end))


@pytest.mark.parametrize(("zone", "day", "start", "end"), DAY_BOUNDS)
def test_site_today_changes_at_local_midnight(settings, zone, day, start, end):
    settings.TIME_ZONE = zone
    last_second = datetime.fromtimestamp(utc(end).timestamp() - 1, tz=UTC)

    with time_machine.travel(utc(start), tick=False):
        assert site_today() == D(day)
    with time_machine.travel(last_second, tick=False):
        assert site_today() == D(day)
    with time_machine.travel(utc(end), tick=False):
        assert site_today() == date.fromordinal(D(day).toordinal() + 1)


@pytest.mark.django_db
@pytest.mark.parametrize(("zone", "day", "start", "end"), DAY_BOUNDS)
def test_flow_counts_moves_from_local_midnight_to_23_59_59(settings, zone, day, start, end):
    """Moves into prospect at the day's first and last second count; the second before
    and the midnight after belong to the neighbouring days."""
    settings.TIME_ZONE = zone
    first, after = utc(start), utc(end)
    moments = {
        "before": datetime.fromtimestamp(first.timestamp() - 1, tz=UTC),
        "first": first,
        "last": datetime.fromtimestamp(after.timestamp() - 1, tz=UTC),
        "after": after,
    }
    for at in moments.values():
        lead = LeadFactory(created_at=datetime.fromtimestamp(at.timestamp() - 60, tz=UTC))
        lead_transition(lead_id=lead.pk, to_stage=Stage.PROSPECT, cause=Cause.MANUAL, at=at)

    report = funnel_report(window=Window(D(day), D(day)))

    # Created a minute before each move: "before" was created the day before too, and
    # "first" one minute before local midnight.
    assert report.totals.flow[Stage.PROSPECT] == 2
    assert report.totals.cohort == 2  # created at "last" - 1 min and "after" - 1 min
