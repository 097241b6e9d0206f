"""The figures read from the daily rollups equal the independent computation, before and
after more history is written, whatever wrote it, and across a time zone change
(funnel/metrics/rollup_refresh.py, rollup_read.py; PostgreSQL only, like the rollups)."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import override_settings
from rest_framework.test import APIClient

from funnel.metrics import selectors
from funnel.metrics.rollup_refresh import rollups_refresh
from funnel.models import CohortRollup, RollupDirty, RollupState, StageChange
from funnel.services import lead_transition
from funnel.stages import Cause, next_stages
from leads.models import Lead
from tests.factories import LeadFactory, ManagerFactory
from tests.metrics.histories import build, scenario_for
from tests.metrics.test_truth_api import _check
from tests.support import postgres_only

pytestmark = [postgres_only, pytest.mark.django_db]


@pytest.fixture
def rollups_only(monkeypatch):
    """Fail if a report falls back to the live queries: the rollups must serve it."""

    def live(*args, **kwargs):
        raise AssertionError("read live, not from the rollups")

    monkeypatch.setattr(selectors, "_live_figures", live)


def _check_all(client, scenario):
    for since, until in scenario.windows:
        for group_by in (None, "month"):
            _check(client, scenario, since, until, group_by, {}, None)


def _more_history(rng: random.Random, scenario) -> None:
    """Moves written after the refresh, some back-dated into old days, a new lead, a
    deleted one: the days they touch must be read live until the next refresh."""
    leads = list(Lead.objects.order_by("pk"))
    for lead in rng.sample(leads, min(4, len(leads))):
        options = next_stages(lead.stage)
        if options:
            at = max(lead.stage_changed_at or lead.created_at, lead.created_at)
            at += timedelta(days=rng.randint(0, 40), seconds=rng.randint(1, 86_399))
            lead_transition(
                lead_id=lead.pk, to_stage=rng.choice(options).value, cause=Cause.MANUAL, at=at
            )
    if leads:
        created = leads[0].created_at + timedelta(days=rng.randint(0, 300))
        LeadFactory(created_at=created)
        doomed = rng.choice(leads)
        Lead.objects.filter(pk=doomed.pk).delete()


@pytest.mark.parametrize("seed", range(0, 24, 2))
def test_rollup_figures_match_history_before_and_after_more_writes(seed, rollups_only):
    scenario = scenario_for(seed)
    rng = random.Random(seed)
    with override_settings(TIME_ZONE=scenario.tz):
        build(scenario)
        rollups_refresh()
        client = APIClient()
        client.force_authenticate(ManagerFactory())
        _check_all(client, scenario)

        _more_history(rng, scenario)
        if scenario.leads:
            assert RollupDirty.objects.exists()
        _check_all(client, scenario)  # pending days read live, the rest from the rollups

        rollups_refresh()
        assert not RollupDirty.objects.exists()
        _check_all(client, scenario)


def test_a_time_zone_change_reads_live_until_the_rollups_are_rebuilt(manager):
    scenario = scenario_for(3)
    client = APIClient()
    client.force_authenticate(manager)
    with override_settings(TIME_ZONE="UTC"):
        build(scenario)
        rollups_refresh()
    with override_settings(TIME_ZONE="Asia/Kolkata"):
        scenario.tz = "Asia/Kolkata"
        _check_all(client, scenario)  # the UTC days do not serve a Kolkata window
        assert rollups_refresh().full
        assert RollupState.objects.get().time_zone == "Asia/Kolkata"
        _check_all(client, scenario)


def test_every_kind_of_write_leaves_a_note():
    lead = LeadFactory(created_at=datetime(2025, 3, 1, 12, tzinfo=UTC))
    rollups_refresh()
    assert not RollupDirty.objects.exists()

    lead_transition(lead_id=lead.pk, to_stage="prospect", cause=Cause.MANUAL)
    kinds = set(RollupDirty.objects.values_list("kind", flat=True))
    # the move, and the lead's new milestone (its cohort day)
    assert kinds == {RollupDirty.Kind.MOVES, RollupDirty.Kind.COHORT}
    cohort_note = RollupDirty.objects.get(kind=RollupDirty.Kind.COHORT)
    assert cohort_note.lo == cohort_note.hi == lead.created_at
    rollups_refresh()

    # Score updates do not touch the figures: no note (owner and campaign changes do).
    Lead.objects.filter(pk=lead.pk).update(score=42)
    assert not RollupDirty.objects.exists()

    # Raw SQL too (an import, psql): a statement-level note with the rows' range.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE funnel_stagechange SET reason = 'fixed' WHERE lead_id = %s", [lead.pk]
        )
    assert RollupDirty.objects.filter(kind=RollupDirty.Kind.MOVES).count() == 2  # old, new
    rollups_refresh()

    Lead.objects.filter(pk=lead.pk).delete()
    assert set(RollupDirty.objects.values_list("kind", flat=True)) == {
        RollupDirty.Kind.MOVES,
        RollupDirty.Kind.COHORT,
    }
    rollups_refresh()
    assert not CohortRollup.objects.exists()
    assert not StageChange.objects.exists()


def test_truncate_forgets_the_rollups():
    LeadFactory()
    rollups_refresh()
    assert RollupState.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE funnel_stagechange")
    assert not RollupState.objects.exists()  # read live until rebuilt
    assert rollups_refresh().full


def test_refresh_is_idempotent():
    lead = LeadFactory(created_at=datetime(2025, 3, 1, 12, tzinfo=UTC))
    lead_transition(lead_id=lead.pk, to_stage="prospect", cause=Cause.MANUAL)
    first = rollups_refresh()
    snapshot = list(CohortRollup.objects.values())
    second = rollups_refresh()
    assert (second.move_days, second.cohort_days) == (0, 0)
    assert first.full and not second.full
    assert list(CohortRollup.objects.values()) == snapshot
