"""Merged duplicates keep every funnel figure computable from history alone: after random
merges (a survivor absorbs another lead's moves, `merged_from`), every figure of the API
still equals the independent computation, the survivors' milestones agree with history
(funnel_rebuild_milestones finds no drift), and on PostgreSQL the rollups serve the same
figures once refreshed (the merge's UPDATEs are noted by the triggers)."""

import random
from datetime import UTC, datetime

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from funnel.management.commands.funnel_rebuild_milestones import milestones_drift
from funnel.models import StageChange
from leads.merging.services import MERGE_FIELDS, leads_merge
from leads.models import Lead
from tests.factories import ManagerFactory
from tests.metrics.histories import build, scenario_for
from tests.metrics.test_truth_api import GROUPINGS, _check
from tests.support import postgres_only

NOW = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)


def _merge_some(rng: random.Random) -> int:
    merges = 0
    for _ in range(3):
        leads = list(Lead.objects.order_by("pk"))
        if len(leads) < 2:
            break
        survivor, merged = rng.sample(leads, 2)
        choices = {name: rng.choice(["survivor", "merged"]) for name in MERGE_FIELDS}
        leads_merge(survivor=survivor, merged=merged, field_choices=choices, actor=None, now=NOW)
        merges += 1
    return merges


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(12))
def test_every_figure_matches_history_after_merges(seed):
    scenario = scenario_for(seed)
    rng = random.Random(seed)
    with override_settings(TIME_ZONE=scenario.tz):
        build(scenario)
        moves_before = StageChange.objects.count()
        _merge_some(rng)
        # A merge moves history, it never writes or drops a move.
        assert StageChange.objects.count() == moves_before
        assert milestones_drift()["counts"]["leads"] == 0
        client = APIClient()
        client.force_authenticate(ManagerFactory())
        for since, until in scenario.windows:
            for group_by in GROUPINGS:
                _check(client, scenario, since, until, group_by, {}, None)


@postgres_only
@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 5])
def test_rollups_after_merges_match_history(seed):
    from funnel.metrics.rollup_refresh import rollups_refresh

    scenario = scenario_for(seed)
    rng = random.Random(seed)
    with override_settings(TIME_ZONE=scenario.tz):
        build(scenario)
        rollups_refresh()
        _merge_some(rng)
        client = APIClient()
        client.force_authenticate(ManagerFactory())
        # Read before the next refresh (the days the merges touched are read live) ...
        for since, until in scenario.windows:
            _check(client, scenario, since, until, None, {}, None)
        rollups_refresh()
        # ... and after it, from the rebuilt rollups.
        for since, until in scenario.windows:
            _check(client, scenario, since, until, "month", {}, None)
