"""Quota periods and "today" at the calendar's awkward days: the last day of a quarter,
31 Dec -> 1 Jan, 29 Feb, both DST changes in a non-UTC site zone, 23:59:59 and 00:00:00.
Expected values are written out by hand, not computed with the code under test."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from sales.periods import Period, period_containing, today
from sales.selectors import my_quotas_now
from sales.selectors.work import my_work
from tests.sales.factories import QuotaFactory

M, Q = "month", "quarter"


def period(kind, starts_on, ends_on):
    return Period(kind, date.fromisoformat(starts_on), date.fromisoformat(ends_on))


# day -> (period, previous, next, label) for months and quarters.
CALENDAR = [
    (
        date(2027, 3, 31),
        M,
        period(M, "2027-03-01", "2027-03-31"),
        period(M, "2027-02-01", "2027-02-28"),
        period(M, "2027-04-01", "2027-04-30"),
        "March 2027",
    ),
    (
        date(2027, 3, 31),
        Q,
        period(Q, "2027-01-01", "2027-03-31"),
        period(Q, "2026-10-01", "2026-12-31"),
        period(Q, "2027-04-01", "2027-06-30"),
        "Q1 2027",
    ),
    (
        date(2026, 12, 31),
        M,
        period(M, "2026-12-01", "2026-12-31"),
        period(M, "2026-11-01", "2026-11-30"),
        period(M, "2027-01-01", "2027-01-31"),
        "December 2026",
    ),
    (
        date(2026, 12, 31),
        Q,
        period(Q, "2026-10-01", "2026-12-31"),
        period(Q, "2026-07-01", "2026-09-30"),
        period(Q, "2027-01-01", "2027-03-31"),
        "Q4 2026",
    ),
    (
        date(2027, 1, 1),
        M,
        period(M, "2027-01-01", "2027-01-31"),
        period(M, "2026-12-01", "2026-12-31"),
        period(M, "2027-02-01", "2027-02-28"),
        "January 2027",
    ),
    (
        date(2027, 1, 1),
        Q,
        period(Q, "2027-01-01", "2027-03-31"),
        period(Q, "2026-10-01", "2026-12-31"),
        period(Q, "2027-04-01", "2027-06-30"),
        "Q1 2027",
    ),
    (
        date(2028, 2, 29),
        M,
        period(M, "2028-02-01", "2028-02-29"),
        period(M, "2028-01-01", "2028-01-31"),
        period(M, "2028-03-01", "2028-03-31"),
        "February 2028",
    ),
    (
        date(2028, 2, 29),
        Q,
        period(Q, "2028-01-01", "2028-03-31"),
        period(Q, "2027-10-01", "2027-12-31"),
        period(Q, "2028-04-01", "2028-06-30"),
        "Q1 2028",
    ),
    (
        date(2027, 2, 28),
        M,
        period(M, "2027-02-01", "2027-02-28"),
        period(M, "2027-01-01", "2027-01-31"),
        period(M, "2027-03-01", "2027-03-31"),
        "February 2027",
    ),
]


@pytest.mark.parametrize(("day", "kind", "expected", "previous", "following", "label"), CALENDAR)
def test_period_containing_and_its_neighbours(day, kind, expected, previous, following, label):
    found = period_containing(kind, day)

    assert found == expected
    assert (found.previous(), found.next(), found.label()) == (previous, following, label)


@pytest.mark.parametrize(
    ("kind", "day", "on", "fraction"),
    [
        (M, "2028-02-29", "2028-02-29", 1.0),
        (M, "2028-02-29", "2028-02-01", 1 / 29),
        (M, "2027-02-28", "2027-02-14", 0.5),
        (Q, "2028-02-29", "2028-02-29", 60 / 91),  # 31 + 29 of 31 + 29 + 31 days
        (Q, "2027-03-31", "2027-03-01", 60 / 90),  # 31 + 28 + 1 of 31 + 28 + 31 days
        (Q, "2027-03-31", "2027-03-31", 1.0),
        (Q, "2027-03-31", "2026-12-31", 0.0),
        (Q, "2026-12-31", "2027-01-01", 1.0),
    ],
)
def test_elapsed_fraction_counts_whole_local_days(kind, day, on, fraction):
    found = period_containing(kind, date.fromisoformat(day))

    assert found.elapsed_fraction(date.fromisoformat(on)) == pytest.approx(fraction)


# (site zone, UTC instant, the site's date then): 23:59:59 and 00:00:00 local, and the
# nights the clocks change (Europe: last Sunday of March / October; US: second Sunday of
# March / first Sunday of November).
LOCAL_DAYS = [
    ("Europe/Berlin", "2027-03-31T21:59:59", date(2027, 3, 31)),  # 23:59:59 CEST
    ("Europe/Berlin", "2027-03-31T22:00:00", date(2027, 4, 1)),  # 00:00:00 CEST
    ("Europe/Berlin", "2026-12-31T22:59:59", date(2026, 12, 31)),  # 23:59:59 CET
    ("Europe/Berlin", "2026-12-31T23:00:00", date(2027, 1, 1)),
    ("Europe/Berlin", "2027-03-28T00:59:59", date(2027, 3, 28)),  # 01:59:59 CET, then 03:00
    ("Europe/Berlin", "2027-03-28T21:59:59", date(2027, 3, 28)),  # 23:59:59 CEST
    ("Europe/Berlin", "2027-10-31T00:59:59", date(2027, 10, 31)),  # 02:59:59 CEST (1st)
    ("Europe/Berlin", "2027-10-31T22:59:59", date(2027, 10, 31)),  # 23:59:59 CET
    ("Europe/Berlin", "2027-10-31T23:00:00", date(2027, 11, 1)),
    ("America/New_York", "2028-03-01T04:59:59", date(2028, 2, 29)),  # 23:59:59 EST
    ("America/New_York", "2028-03-01T05:00:00", date(2028, 3, 1)),
    ("America/New_York", "2027-03-14T06:59:59", date(2027, 3, 14)),  # 01:59:59 EST, then 03:00
    ("America/New_York", "2027-04-01T03:59:59", date(2027, 3, 31)),  # 23:59:59 EDT
    ("America/New_York", "2027-11-07T05:59:59", date(2027, 11, 7)),  # 01:59:59 EST (2nd)
    ("America/New_York", "2027-11-08T04:59:59", date(2027, 11, 7)),  # 23:59:59 EST
]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(("zone", "instant", "expected"), LOCAL_DAYS)
def test_today_is_the_sites_date(settings, zone, instant, expected):
    settings.TIME_ZONE = zone

    with time_machine.travel(utc(instant), tick=False):
        assert today() == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("zone", "instant", "expected"), LOCAL_DAYS)
def test_my_work_shows_the_quotas_of_the_sites_date(settings, rep, zone, instant, expected):
    settings.TIME_ZONE = zone
    month = QuotaFactory(owner=rep, period=M, on=expected, target=Decimal("100"))
    quarter = QuotaFactory(owner=rep, period=Q, on=expected, target=Decimal("300"))
    # Yesterday's month, when it is another one, must not show.
    QuotaFactory(owner=rep, period=M, on=date.fromordinal(month.starts_on.toordinal() - 1))

    with time_machine.travel(utc(instant), tick=False):
        work = my_work(user=rep)

    assert work.local_date == expected
    assert [(quota.pk, progress.today) for quota, progress in work.quotas] == [
        (month.pk, expected),
        (quarter.pk, expected),
    ]


@pytest.mark.django_db
def test_my_work_reads_the_quotas_at_the_now_it_is_given(rep):
    april = QuotaFactory(owner=rep, period=M, on=date(2027, 4, 1))
    QuotaFactory(owner=rep, period=M, on=date(2027, 3, 1))

    work = my_work(user=rep, now=utc("2027-04-01T00:00:00"))

    assert [quota.pk for quota, _ in work.quotas] == [april.pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("on", "month_elapsed", "quarter_elapsed"),
    [
        (date(2027, 3, 31), 1.0, 1.0),
        (date(2027, 3, 1), 1 / 31, 60 / 90),
        (date(2027, 1, 1), 1 / 31, 1 / 90),
        (date(2028, 2, 29), 1.0, 60 / 91),
        (date(2026, 12, 31), 1.0, 1.0),
    ],
)
def test_my_quotas_now_month_first_with_its_pace(rep, on, month_elapsed, quarter_elapsed):
    QuotaFactory(owner=rep, period=Q, on=on, target=Decimal("900"))
    QuotaFactory(owner=rep, period=M, on=on, target=Decimal("300"))

    (month, month_progress), (quarter, quarter_progress) = my_quotas_now(user=rep, today=on)

    assert (month.period, quarter.period) == (M, Q)
    assert month_progress.elapsed == pytest.approx(month_elapsed)
    assert quarter_progress.elapsed == pytest.approx(quarter_elapsed)
