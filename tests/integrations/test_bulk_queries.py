"""Set-based: the number of queries does not grow with the number of items."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.clients import token_client
from tests.factories import CampaignFactory, LeadFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/leads/bulk/"


def _items(count: int, campaign_id: int) -> list[dict]:
    # Half existing, half new, every one naming a campaign.
    return [
        {"email": f"lead{n}@example.com", "company": f"Co {n}", "source_campaign": campaign_id}
        for n in range(count)
    ]


def _queries(client, items) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.post(URL, {"leads": items})
    assert response.status_code == 200
    assert response.json()["errors"] == 0
    return len(captured)


def test_queries_do_not_grow_with_items(manager):
    campaign = CampaignFactory()
    for n in range(0, 400, 2):
        LeadFactory(email=f"lead{n}@example.com")
    client = token_client(manager)
    client.get("/api/v1/leads/")  # token and groups warm-up

    few = _queries(client, _items(4, campaign.pk))
    many = _queries(client, _items(400, campaign.pk))

    if connection.vendor == "postgresql":
        assert many == few
    else:
        # SQLite splits the insert and the update by its parameter limit: a statement
        # per ~40 rows each.
        assert many - few <= 2 * (400 // 40) + 2
    # One of them resolves merged-away addresses to their survivors (leads.merging).
    assert few <= 11
