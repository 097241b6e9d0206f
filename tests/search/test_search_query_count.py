"""Find anything costs a fixed number of queries however many rows match: leads in one
statement on PostgreSQL (three LIMITed ones on SQLite for a one-word text), one for
campaigns, and for deals one plus one for which of their few leads the person may open."""

import pytest
from django.db import connection
from django.urls import reverse

from search.selectors import search_everything
from tests.factories import CampaignFactory, LeadFactory
from tests.sales.factories import DealFactory, prospect

pytestmark = pytest.mark.django_db

LEAD_QUERIES = 1 if connection.features.supports_slicing_ordering_in_compound else 3


def grow(n: int) -> None:
    for index in range(n):
        lead = prospect(company=f"Acme {index}", owner=None)
        DealFactory(lead=lead, title=f"Acme deal {index}")
        CampaignFactory(name=f"Acme campaign {index}")
        LeadFactory(email=f"person{index}@acme.example")


@pytest.mark.parametrize("rows", [1, 8])
def test_selector(manager, django_assert_num_queries, rows):
    grow(rows)
    search_everything(user=manager, text="warm-up")  # caches the roles

    # Leads, campaigns, deals and their leads' visibility.
    with django_assert_num_queries(LEAD_QUERIES + 3):
        results = search_everything(user=manager, text="acme")
        assert results.leads.rows and results.campaigns.rows and results.deals.rows


@pytest.mark.parametrize("name", ["search:results", "search:suggest"])
def test_pages(client, manager, rep, django_assert_num_queries, name):
    grow(8)
    DealFactory(lead=prospect(owner=rep), title="Acme for the rep")
    for user, extra in ((manager, 3), (rep, 2)):  # a rep sees no campaigns
        client.force_login(user)
        # Session, user, roles, then the search.
        with django_assert_num_queries(3 + LEAD_QUERIES + extra):
            response = client.get(reverse(name), {"q": "acme"})
        assert response.status_code == 200
