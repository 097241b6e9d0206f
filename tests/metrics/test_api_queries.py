"""The funnel API runs a fixed number of queries whatever the data size."""

from datetime import UTC, datetime, timedelta

import pytest
from rest_framework.test import APIClient

from funnel.metrics.rollup_refresh import rollups_refresh
from funnel.services import lead_transition
from funnel.stages import Cause
from tests.factories import CampaignFactory, LeadFactory, RepFactory
from tests.support import ON_POSTGRES, postgres_only

URL = "/api/v1/metrics/funnel/"
WINDOW = {"since": "2025-01-01", "until": "2025-12-31"}


def _leads(count: int) -> None:
    campaigns = [CampaignFactory(), CampaignFactory(channel="social")]
    reps = [RepFactory(), RepFactory()]
    start = datetime(2025, 1, 3, tzinfo=UTC)
    for n in range(count):
        lead = LeadFactory(
            created_at=start + timedelta(days=7 * n),
            source_campaign=campaigns[n % 2],
            owner=reps[n % 2],
        )
        at = lead.created_at
        for stage in ("prospect", "lost", "lead", "prospect", "customer")[: n % 6]:
            at += timedelta(days=3)
            lead_transition(lead_id=lead.pk, to_stage=stage, cause=Cause.MANUAL, at=at)


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize(
    ("group_by", "queries"),
    [
        # the user's groups (role check), moves (per group and in total, one statement),
        # cohort
        (None, 3),
        ("month", 3),
        ("channel", 3),
        # + the group labels (campaign names, user names)
        ("campaign", 4),
        ("owner", 4),
    ],
)
def test_query_count_does_not_grow_with_data(
    manager, django_assert_num_queries, count, group_by, queries
):
    _leads(count)
    client = APIClient()
    client.force_authenticate(manager)
    params = {**WINDOW, **({"group_by": group_by} if group_by else {})}
    if ON_POSTGRES:
        # are the rollups (funnel/metrics/rollup_read.py) or, for the breakdowns, the keyed
        # summaries (keyed_read.py) built? They are not.
        queries += 1
    with django_assert_num_queries(queries):
        response = client.get(URL, params)
    assert response.status_code == 200
    assert response.json()["totals"]["cohort"] == count


@postgres_only
@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize("group_by", [None, "month"])
@pytest.mark.parametrize("pending", [False, True])
def test_query_count_from_the_rollups_does_not_grow_with_data(
    manager, django_assert_num_queries, count, group_by, pending
):
    _leads(count)
    rollups_refresh()
    if pending:
        # A move since the refresh: its day is read live, with one more statement.
        LeadFactory(created_at=datetime(2025, 6, 1, tzinfo=UTC))
        lead = LeadFactory(created_at=datetime(2025, 6, 2, tzinfo=UTC))
        lead_transition(
            lead_id=lead.pk, to_stage="prospect", cause=Cause.MANUAL, at=lead.created_at
        )
    client = APIClient()
    client.force_authenticate(manager)
    params = {**WINDOW, **({"group_by": group_by} if group_by else {})}
    # role check, state and pending notes, cohort (rollup + live days in one statement),
    # flow, moves per duration bucket, the buckets' durations; + live moves when pending
    with django_assert_num_queries(6 + pending):
        response = client.get(URL, params)
    assert response.status_code == 200
    assert response.json()["totals"]["cohort"] == count + 2 * pending


@pytest.mark.django_db
def test_filters_cost_no_extra_query_beyond_validating_them(manager, django_assert_num_queries):
    _leads(5)
    campaign = CampaignFactory()
    client = APIClient()
    client.force_authenticate(manager)
    # + one EXISTS each to validate the campaign and the owner ids, + on PostgreSQL: are
    # the keyed summaries (owner and campaign: the joint keys) built? They are not.
    with django_assert_num_queries(6 if ON_POSTGRES else 5):
        response = client.get(
            URL, {**WINDOW, "campaign": campaign.pk, "owner": manager.pk, "channel": "email"}
        )
    assert response.status_code == 200
