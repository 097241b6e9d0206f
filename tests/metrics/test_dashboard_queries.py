"""Each dashboard page runs a fixed number of queries whatever the data size."""

from datetime import UTC, datetime, timedelta

import pytest

from funnel.metrics.rollup_refresh import rollups_refresh
from funnel.services import lead_transition
from funnel.stages import Cause
from tests.factories import CampaignFactory, LeadFactory, RepFactory
from tests.support import ON_POSTGRES, postgres_only

WINDOW = {"since": "2025-01-01", "until": "2025-12-31"}


def _data(count: int) -> None:
    campaigns = [CampaignFactory(), CampaignFactory(channel="social")]
    reps = [RepFactory(), RepFactory()]
    start = datetime(2025, 1, 3, tzinfo=UTC)
    for n in range(count):
        lead = LeadFactory(
            created_at=start + timedelta(days=9 * n),
            source_campaign=campaigns[n % 2],
            owner=reps[n % 2],
        )
        at = lead.created_at
        for stage in ("prospect", "lost", "lead", "prospect", "customer")[: n % 6]:
            at += timedelta(days=2)
            lead_transition(lead_id=lead.pk, to_stage=stage, cause=Cause.MANUAL, at=at)


# Common to every page: session, user, the user's groups (role), and the filter form's
# two option lists (campaigns, reps).
PAGES = [
    # + moves (per month and in total, one statement), cohort
    ("/dashboard/", {}, 7),
    # + moves, cohort, group labels (user names)
    ("/dashboard/breakdown/", {"by": "owner"}, 8),
    ("/dashboard/breakdown/", {"by": "channel"}, 7),
    # + the campaigns, then marketing.metrics.campaign_results' own queries
    ("/dashboard/campaigns/", {}, 12),
    # + sales.selectors.quota_board: reps, quotas of the period, won sums
    ("/dashboard/quotas/", {}, 8),
]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 25])
@pytest.mark.parametrize(("url", "params", "queries"), PAGES)
def test_page_query_count_does_not_grow_with_data(
    client, manager, django_assert_num_queries, count, url, params, queries
):
    _data(count)
    client.force_login(manager)
    if ON_POSTGRES and url in ("/dashboard/", "/dashboard/breakdown/"):
        queries += 1  # are the metric rollups (or keyed summaries) built? (they are not)
    if ON_POSTGRES and url == "/dashboard/campaigns/":
        # The four revenue credit sums are one statement there (-3); are the keyed day
        # cohorts built, for the leads per campaign? (+1; they are not)
        queries -= 2
    with django_assert_num_queries(queries):
        response = client.get(url, {**WINDOW, **params})
    assert response.status_code == 200


@postgres_only
@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 25])
def test_overview_from_the_rollups_costs_the_same_whatever_the_data(
    client, manager, django_assert_num_queries, count
):
    _data(count)
    rollups_refresh()
    client.force_login(manager)
    # common five + rollup state and pending notes, cohort, flow, moves per duration
    # bucket, the wanted buckets' durations
    with django_assert_num_queries(10):
        response = client.get("/dashboard/", WINDOW)
    assert response.status_code == 200
    assert response.context["report"].totals.cohort == count


@pytest.mark.django_db
def test_csv_export_costs_what_the_page_costs(client, manager, django_assert_num_queries):
    _data(5)
    client.force_login(manager)
    # the page's queries less the filter form's option lists (nothing is rendered)
    with django_assert_num_queries(5 + ON_POSTGRES):
        response = client.get("/dashboard/", {**WINDOW, "export": "cohorts"})
    assert response.status_code == 200
