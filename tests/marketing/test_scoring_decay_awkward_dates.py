"""Score decay at awkward moments: ages are elapsed time, so a leap day is a day, a DST
night is 23 or 25 hours, and one second before midnight is one second. Expected scores
are computed here from the elapsed hours by hand, not by the code under test."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from leads.models import Lead
from marketing.models import ScoringRules, Touch
from marketing.scoring import scores_recompute
from tests.factories import LeadFactory
from tests.marketing.factories import TouchFactory

pytestmark = pytest.mark.django_db

POINTS = 64.0
HALF_LIFE_DAYS = 1.0


@pytest.fixture(autouse=True)
def rules():
    # One kind worth 64 points halving every day; the others worth nothing.
    points = dict.fromkeys(Touch.Kind.values, 0.0) | {Touch.Kind.FORM_SUBMIT: POINTS}
    ScoringRules.objects.update_or_create(
        pk=ScoringRules.SINGLETON_ID,
        defaults={"touch_points": points, "half_life_days": HALF_LIFE_DAYS, "mql_threshold": 1e6},
    )


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def local(text: str, zone: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))


def decayed(hours: float) -> float:
    return round(POINTS * 2 ** (-hours / 24 / HALF_LIFE_DAYS), 2)


# (touch at, scored at, elapsed hours counted by hand)
AGES = [
    (utc("2028-02-28T12:00:00"), utc("2028-03-01T12:00:00"), 48),  # across 29 Feb
    (utc("2027-02-28T12:00:00"), utc("2027-03-01T12:00:00"), 24),  # no 29 Feb
    (utc("2026-12-31T12:00:00"), utc("2027-01-01T12:00:00"), 24),  # across the new year
    (utc("2026-12-31T23:59:59"), utc("2027-01-01T00:00:00"), 1 / 3600),
    (utc("2027-03-31T00:00:00"), utc("2027-03-31T23:59:59"), 24 - 1 / 3600),
    # Noon to noon in Berlin over the spring change is 23 hours, in autumn 25.
    (
        local("2027-03-27T12:00:00", "Europe/Berlin"),
        local("2027-03-28T12:00:00", "Europe/Berlin"),
        23,
    ),
    (
        local("2027-10-30T12:00:00", "Europe/Berlin"),
        local("2027-10-31T12:00:00", "Europe/Berlin"),
        25,
    ),
    (
        local("2027-03-13T12:00:00", "America/New_York"),
        local("2027-03-14T12:00:00", "America/New_York"),
        23,
    ),
    (
        local("2027-11-06T12:00:00", "America/New_York"),
        local("2027-11-07T12:00:00", "America/New_York"),
        25,
    ),
    (utc("2027-04-01T00:00:00"), utc("2027-03-31T23:59:59"), 0),  # a future touch: in full
]


@pytest.mark.parametrize(("touched", "scored", "hours"), AGES)
@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York"])
def test_decay_counts_elapsed_hours(settings, zone, touched, scored, hours):
    settings.TIME_ZONE = zone  # the site's zone must not change an age
    lead = LeadFactory()
    TouchFactory(lead=lead, kind=Touch.Kind.FORM_SUBMIT, at=touched)

    scores_recompute(now=scored)

    assert Lead.objects.get(pk=lead.pk).score == pytest.approx(decayed(hours), abs=0.005)


@pytest.mark.parametrize(("touched", "scored", "hours"), AGES[:5])
def test_decay_without_an_explicit_now_uses_the_clock(touched, scored, hours):
    lead = LeadFactory()
    TouchFactory(lead=lead, kind=Touch.Kind.FORM_SUBMIT, at=touched)

    with time_machine.travel(scored, tick=False):
        scores_recompute()

    assert Lead.objects.get(pk=lead.pk).score == pytest.approx(decayed(hours), abs=0.005)
