"""Each page costs the same number of queries whatever the number of rows (STYLE.md: a
read that crosses relations has a query-count test). Every row joins its owner and
campaign; counts are bounded; nothing runs per row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funnel.stages import Stage
from tests import factories

# Every authenticated page: the session, the user, the user's groups (roles, cached on
# the user for the rest of the request).
AUTH = 3


def populate(rep, moved, count: int) -> None:
    campaign = factories.CampaignFactory()
    for i in range(count):
        lead = factories.LeadFactory(owner=rep if i % 2 else None, source_campaign=campaign)
        if i % 3 == 0:
            moved(lead, Stage.PROSPECT, reason="qualified")


@pytest.mark.parametrize("count", [2, 30])
@pytest.mark.parametrize("url_name", ["leads:list", "leads:prospects", "leads:customers"])
def test_lists_for_a_rep(login, rep, moved, django_assert_num_queries, count, url_name):
    populate(rep, moved, count)
    client = login(rep)
    # AUTH + the page of rows (owner and campaign joined) + the bounded count + the
    # campaign choices of the filter bar (a rep's owner choices need no query) + the
    # cadence choices of the bulk-action bar, shown above rows (none reach customer here)
    # + the saved-views menu (the views, the groups to share with).
    with django_assert_num_queries(AUTH + 5 + (url_name != "leads:customers")):
        response = client.get(reverse(url_name), {"sort": "-score"})
    assert response.status_code == 200


@pytest.mark.parametrize("count", [2, 30])
def test_filtered_list_for_a_manager(login, manager, rep, moved, django_assert_num_queries, count):
    populate(rep, moved, count)
    factories.RepFactory.create_batch(3)
    client = login(manager)
    campaign = factories.CampaignFactory()
    # As for a rep, plus the owner choices; the chosen campaign is validated against the
    # choices query (one more); the saved-views menu (2).
    with django_assert_num_queries(AUTH + 7):
        response = client.get(
            reverse("leads:list"),
            {"stage": "prospect", "owner": "none", "source_campaign": campaign.pk, "search": "a"},
        )
    assert response.status_code == 200


@pytest.mark.parametrize("count", [2, 30])
def test_list_with_the_bulk_bar_for_a_manager(
    login, manager, rep, moved, django_assert_num_queries, count
):
    populate(rep, moved, count)
    factories.RepFactory.create_batch(3)
    # AUTH + rows + bounded count + campaign and owner choices of the filter bar + the
    # bulk bar's rep and cadence choices + the saved-views menu (2) + the last view
    # remembered, looked up because the list is opened bare: the same whatever the rows.
    client = login(manager)
    with django_assert_num_queries(AUTH + 9):
        response = client.get(reverse("leads:list"))
    assert response.status_code == 200
    assert response.content.decode().count('class="bulk-pick"') == min(count, 25)


def test_lead_page_costs_the_same_however_long_its_history(login, rep, moved):
    """The lead page is shared with the sales timeline and panel (their queries are
    theirs to count), so this pins the property that matters here: no query per entry."""

    def page_queries(rounds: int) -> int:
        lead = factories.LeadFactory(owner=rep, source_campaign=factories.CampaignFactory())
        for _ in range(rounds):
            lead = moved(lead, Stage.PROSPECT, reason="in")
            lead = moved(lead, Stage.LOST, reason="out")
        client = login(rep)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("leads:detail", args=[lead.pk]))
        assert response.status_code == 200
        assert response.content.decode().count("timeline-item timeline-stage_change") == min(
            2 * rounds, 20
        )
        return len(queries)

    short, long = page_queries(1), page_queries(12)
    assert short == long
    # AUTH + the lead (owner and campaign joined) + the timeline's page + its items, + the
    # score card: rules, fit rules, the listed touches (campaigns joined), their total
    # and, when fit rules exist, the fit points (tests/marketing/test_lead_page_score.py).
    assert short <= AUTH + 6 + 5


@pytest.mark.parametrize("count", [2, 30])
def test_home(login, rep, moved, django_assert_num_queries, count):
    populate(rep, moved, count)
    client = login(rep)
    # AUTH + the per-stage counts (one aggregate) + the recent moves (lead, actor joined).
    with django_assert_num_queries(AUTH + 2):
        response = client.get(reverse("home"))
    assert response.status_code == 200
