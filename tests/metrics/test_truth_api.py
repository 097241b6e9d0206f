"""Every figure of GET /api/v1/metrics/funnel/ equals an independent computation over
random histories (recycled leads, many moves, windows cutting through histories, empty
windows, time zones with odd offsets), for every grouping, each filter and each role."""

import random

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from tests.factories import ManagerFactory
from tests.metrics.histories import assert_figures_equal, build, scenario_for
from tests.metrics.oracle import expected_report

GROUPINGS = [None, "month", "campaign", "channel", "owner"]
NARROWINGS = ["campaign", "channel", "owner"]


def _check(client, scenario, since, until, group_by, filters, visible):
    params = {"since": since.isoformat(), "until": until.isoformat(), **filters}
    if group_by:
        params["group_by"] = group_by
    response = client.get("/api/v1/metrics/funnel/", params)
    assert response.status_code == 200, response.content
    data = response.json()
    expected = expected_report(
        since=since,
        until=until,
        tz=scenario.tz,
        group_by=group_by,
        filters=filters,
        lead_ids=visible,
    )
    case = f"seed={scenario.seed} window={since}..{until} group_by={group_by} {filters}"
    assert data["window"] == {
        "since": since.isoformat(),
        "until": until.isoformat(),
        "time_zone": scenario.tz,
    }
    assert_figures_equal(data["totals"], expected["totals"], f"{case} totals")
    keys = [group["key"] for group in data["groups"]]
    assert sorted(keys) == sorted(expected["groups"]), case
    if group_by == "month":
        assert keys == list(expected["groups"]), case  # every month of the window, in order
    for group in data["groups"]:
        assert_figures_equal(group, expected["groups"][group["key"]], f"{case} {group['key']}")
    return data


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(24))
def test_every_api_figure_matches_history(seed):
    scenario = scenario_for(seed)
    rng = random.Random(seed)
    with override_settings(TIME_ZONE=scenario.tz):
        built = build(scenario)
        manager = APIClient()
        manager.force_authenticate(ManagerFactory())
        rep = APIClient()
        rep.force_authenticate(built.reps[0])
        rep_visible = {
            pk for pk, owner in built.owners.items() if owner in (None, built.reps[0].pk)
        }
        for since, until in scenario.windows:
            for group_by in GROUPINGS:
                _check(manager, scenario, since, until, group_by, {}, None)
            narrowing = rng.choice(NARROWINGS)
            filters = {
                "campaign": {"campaign": built.campaigns[0].pk},
                "channel": {"channel": built.campaigns[0].channel},
                "owner": {"owner": built.reps[rng.randint(0, 1)].pk},
            }[narrowing]
            _check(manager, scenario, since, until, rng.choice(GROUPINGS), filters, None)
            _check(rep, scenario, since, until, rng.choice(GROUPINGS), {}, rep_visible)
