"""The lead list costs the same handful of queries whatever the page size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.clients import token_client
from tests.factories import CampaignFactory, LeadFactory, RepFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sixty_leads(db):
    reps = RepFactory.create_batch(3)
    campaigns = CampaignFactory.create_batch(3)
    return [
        LeadFactory(owner=reps[i % 4] if i % 4 < 3 else None, source_campaign=campaigns[i % 3])
        for i in range(60)
    ]


def queries_for(client, url, params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return response, [q["sql"] for q in captured.captured_queries]


@pytest.mark.parametrize("url", ["/api/v1/leads/", "/api/v1/prospects/", "/api/v1/customers/"])
@pytest.mark.parametrize("who", ["manager", "rep"])
def test_list_query_count_does_not_grow_with_page_size(who, url, request, sixty_leads):
    client = token_client(request.getfixturevalue(who))
    queries_for(client, url, {"page_size": 1})  # warm per-process caches

    small, small_sql = queries_for(client, url, {"page_size": 5})
    large, large_sql = queries_for(client, url, {"page_size": 50})

    assert len(small_sql) == len(large_sql) == 3, large_sql  # token+user, groups, the page
    if url == "/api/v1/leads/" and who == "manager":
        assert (len(small.json()["results"]), len(large.json()["results"])) == (5, 50)
        rows = large.json()["results"]
        assert all((row["owner"] is None) == (row["owner_username"] is None) for row in rows)
        assert sum(row["owner_username"] is not None for row in rows) > 30


def test_filters_and_search_add_no_queries(manager, sixty_leads):
    client = token_client(manager)
    lead = sixty_leads[0]
    params = {
        "page_size": 50,
        "owner": lead.owner_id,
        "source_campaign": lead.source_campaign_id,
        "stage": ["lead", "prospect"],
        "created_after": "2000-01-01",
        "search": "a b",
    }
    queries_for(client, "/api/v1/leads/", {"page_size": 1})

    _, sql = queries_for(client, "/api/v1/leads/", params)

    assert len(sql) == 3, sql
    assert "DISTINCT" not in sql[-1] and "COUNT(" not in sql[-1]
