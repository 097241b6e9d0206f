"""Cadence due dates and "due today" at awkward moments. A step `day_offset` days into a
cadence falls due that many whole days (24 hours each) after the enrolment, the same on
PostgreSQL and SQLite; so across a DST change the local hour moves by one. "Today" on
my work is the site's local day, 23 or 25 hours long on a DST day. Expected values are
written out by hand."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from sales import services
from sales.models import Activity, Enrolment
from sales.selectors.work import my_work
from tests.sales.factories import EnrolmentFactory, TaskFactory, prospect

pytestmark = pytest.mark.django_db


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def second_before(moment: datetime) -> datetime:
    return datetime.fromtimestamp(moment.timestamp() - 1, tz=UTC)


# (started, day-2 step due, day-5 step due): the default cadence has steps on days 0, 2, 5.
STARTS = [
    (utc("2028-02-27T23:59:59"), utc("2028-02-29T23:59:59"), utc("2028-03-03T23:59:59")),
    (utc("2026-12-30T00:00:00"), utc("2027-01-01T00:00:00"), utc("2027-01-04T00:00:00")),
    (utc("2027-03-29T12:00:00"), utc("2027-03-31T12:00:00"), utc("2027-04-03T12:00:00")),
    # 09:00 in Berlin two days before the spring change: day 2 is 10:00 local.
    (utc("2027-03-26T08:00:00"), utc("2027-03-28T08:00:00"), utc("2027-03-31T08:00:00")),
    # 09:00 in New York before the autumn change: day 2 is 08:00 local.
    (utc("2027-11-05T13:00:00"), utc("2027-11-07T13:00:00"), utc("2027-11-10T13:00:00")),
]


@pytest.mark.parametrize(("started", "day_two", "day_five"), STARTS)
@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/New_York"])
def test_steps_fall_due_whole_days_after_the_start(settings, rep, zone, started, day_two, day_five):
    settings.TIME_ZONE = zone
    enrolment = EnrolmentFactory(lead=prospect(owner=rep), started_at=started)

    assert services.sequence_steps_create_due(now=second_before(day_two)) == 1
    assert services.sequence_steps_create_due(now=day_two) == 1
    assert Enrolment.objects.get(pk=enrolment.pk).next_due_at == day_five
    assert services.sequence_steps_create_due(now=second_before(day_five)) == 0
    assert services.sequence_steps_create_due(now=day_five) == 1

    due = dict(
        Activity.objects.filter(enrolment=enrolment).values_list("step__day_offset", "due_at")
    )
    assert due == {0: started, 2: day_two, 5: day_five}
    finished = Enrolment.objects.get(pk=enrolment.pk)
    assert (finished.status, finished.ended_at) == (Enrolment.Status.COMPLETED, day_five)


def test_the_local_hour_of_a_step_moves_with_a_dst_change():
    berlin = ZoneInfo("Europe/Berlin")
    started, day_two = STARTS[3][0], STARTS[3][1]

    assert (started.astimezone(berlin).hour, day_two.astimezone(berlin).hour) == (9, 10)


# (zone, now, the local day's first instant, the next day's first instant), in UTC.
DAYS = [
    ("Europe/Berlin", "2027-03-28T12:00:00", "2027-03-27T23:00:00", "2027-03-28T22:00:00"),
    ("Europe/Berlin", "2027-10-31T12:00:00", "2027-10-30T22:00:00", "2027-10-31T23:00:00"),
    ("Europe/Berlin", "2027-03-31T21:59:59", "2027-03-30T22:00:00", "2027-03-31T22:00:00"),
    ("Europe/Berlin", "2027-03-31T22:00:00", "2027-03-31T22:00:00", "2027-04-01T22:00:00"),
    ("America/New_York", "2027-03-14T12:00:00", "2027-03-14T05:00:00", "2027-03-15T04:00:00"),
    ("America/New_York", "2027-11-07T12:00:00", "2027-11-07T04:00:00", "2027-11-08T05:00:00"),
    ("America/New_York", "2028-03-01T04:59:59", "2028-02-29T05:00:00", "2028-03-01T05:00:00"),
    ("UTC", "2027-01-01T00:00:00", "2027-01-01T00:00:00", "2027-01-02T00:00:00"),
]


@pytest.mark.parametrize(("zone", "now", "start", "end"), DAYS)
def test_my_work_splits_overdue_today_and_later_at_local_midnight(
    settings, rep, zone, now, start, end
):
    settings.TIME_ZONE = zone
    lead = prospect(owner=rep)
    first, after = utc(start), utc(end)
    tasks = {
        name: TaskFactory(lead=lead, owner=rep, due_at=at).pk
        for name, at in {
            "yesterday 23:59:59": second_before(first),
            "today 00:00:00": first,
            "today 23:59:59": second_before(after),
            "tomorrow 00:00:00": after,
        }.items()
    }

    work = my_work(user=rep, now=utc(now))

    assert [task.pk for task in work.overdue.rows] == [tasks["yesterday 23:59:59"]]
    assert [task.pk for task in work.today.rows] == [
        tasks["today 00:00:00"],
        tasks["today 23:59:59"],
    ]
