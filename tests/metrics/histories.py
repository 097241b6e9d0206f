"""Random lead histories for the truth tests, from a seed (so a failure names its case).

Leads are created over ~2.5 years and walked through the stage graph by the one writer:
recycled, reopened, moved many times, some never. Times sometimes land exactly on a local
midnight (a window's edge) or one second apart. Windows start near a recorded time so
they cut through histories; some cover everything, some nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from funnel.services import lead_transition
from funnel.stages import Cause, next_stages
from marketing.models import Campaign
from tests.factories import CampaignFactory, LeadFactory, RepFactory

TIME_ZONES = ["UTC", "America/New_York", "Asia/Kolkata", "Pacific/Auckland"]
FIRST_DAY = date(2024, 1, 1)
# Two campaigns share a channel so channel groups differ from campaign groups.
CAMPAIGN_CHANNELS = [Campaign.Channel.EMAIL, Campaign.Channel.SOCIAL, Campaign.Channel.EMAIL]
REPS = 2


@dataclass
class LeadPlan:
    created_at: datetime
    campaign: int | None
    owner: int | None
    moves: list[tuple[str, datetime]] = field(default_factory=list)


@dataclass
class Scenario:
    seed: int
    tz: str
    leads: list[LeadPlan]
    windows: list[tuple[date, date]]


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def _after(rng: random.Random, previous: datetime, zone: ZoneInfo) -> datetime:
    """A time strictly after `previous`."""
    roll = rng.random()
    if roll < 0.25:
        day = previous.astimezone(zone).date() + timedelta(days=rng.randint(1, 60))
        return _local_midnight(day, zone)
    if roll < 0.3:
        return previous + timedelta(seconds=1)
    return previous + timedelta(
        days=rng.randint(0, 120),
        seconds=rng.randint(1, 86_399),
        microseconds=rng.randint(0, 999_999),
    )


def scenario_for(seed: int) -> Scenario:
    rng = random.Random(seed)
    tz = rng.choice(TIME_ZONES)
    zone = ZoneInfo(tz)
    leads = []
    for _ in range(0 if seed % 17 == 0 else rng.randint(3, 25)):
        created = _local_midnight(FIRST_DAY + timedelta(days=rng.randint(0, 900)), zone)
        if rng.random() < 0.7:
            created += timedelta(
                seconds=rng.randint(1, 86_399), microseconds=rng.randint(0, 999_999)
            )
        plan = LeadPlan(
            created_at=created,
            campaign=rng.choice([None, *range(len(CAMPAIGN_CHANNELS))]),
            owner=rng.choice([None, *range(REPS)]),
        )
        stage, at = "lead", created
        for _ in range(rng.choice([0, 1, 2, 3, 4, 5, 7])):
            options = next_stages(stage)
            if not options:
                break
            stage = rng.choice(options).value
            at = _after(rng, at, zone)
            plan.moves.append((stage, at))
        leads.append(plan)

    recorded = [p.created_at for p in leads] + [at for p in leads for _, at in p.moves]
    windows = [(date(2031, 1, 1), date(2031, 12, 31))]  # after everything: empty
    if recorded:
        first = min(recorded).astimezone(zone).date()
        last = max(recorded).astimezone(zone).date()
        windows.append((first, last))  # everything
        for _ in range(2):
            anchor = rng.choice(recorded).astimezone(zone).date()
            since = anchor + timedelta(days=rng.randint(-60, 30))
            length = rng.choice([0, 1, 6, 30, 90, 365, rng.randint(0, 500)])
            windows.append((since, since + timedelta(days=length)))
        midnights = [t for t in recorded if t.astimezone(zone).time() == time.min]
        if midnights:
            # One window ends just before a local midnight that holds an event, one starts
            # on it: the inclusive/exclusive edges.
            edge = rng.choice(midnights).astimezone(zone).date()
            windows.append((edge - timedelta(days=rng.randint(1, 60)), edge - timedelta(days=1)))
            windows.append((edge, edge + timedelta(days=rng.randint(0, 60))))
    return Scenario(seed=seed, tz=tz, leads=leads, windows=windows)


@dataclass
class Built:
    campaigns: list
    reps: list
    owners: dict[int, int | None]


def build(scenario: Scenario) -> Built:
    """Write the scenario through the factories and the one writer."""
    campaigns = [CampaignFactory(channel=channel) for channel in CAMPAIGN_CHANNELS]
    reps = [RepFactory() for _ in range(REPS)]
    owners = {}
    for plan in scenario.leads:
        lead = LeadFactory(
            created_at=plan.created_at,
            source_campaign=None if plan.campaign is None else campaigns[plan.campaign],
            owner=None if plan.owner is None else reps[plan.owner],
        )
        for stage, at in plan.moves:
            lead_transition(lead_id=lead.pk, to_stage=stage, cause=Cause.MANUAL, at=at)
        owners[lead.pk] = lead.owner_id
    return Built(campaigns=campaigns, reps=reps, owners=owners)


def assert_figures_equal(actual, expected, path: str = "") -> None:
    """Exact for counts and nulls; floats to 1e-9 (the order of float arithmetic differs)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), path
        assert set(actual) >= set(expected), f"{path}: missing {set(expected) - set(actual)}"
        for key, value in expected.items():
            assert_figures_equal(actual[key], value, f"{path}.{key}")
    elif isinstance(expected, float):
        assert actual == pytest.approx(expected, rel=1e-9, abs=1e-9), path
    else:
        assert actual == expected, path
