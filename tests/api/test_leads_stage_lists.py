import pytest

from funnel.services import lead_transition
from funnel.stages import Cause
from tests.api.clients import token_client
from tests.api.test_leads_crud import LEAD_KEYS
from tests.factories import CampaignFactory, LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def funnel_rows(db):
    campaign = CampaignFactory()
    rows = {}
    for name, path in {
        "lead": [],
        "prospect": ["prospect"],
        "prospect_from_campaign": ["prospect"],
        "customer": ["prospect", "customer"],
        "lost": ["prospect", "lost"],
    }.items():
        lead = LeadFactory(source_campaign=campaign if name == "prospect_from_campaign" else None)
        for to_stage in path:
            lead_transition(lead_id=lead.pk, to_stage=to_stage, cause=Cause.API)
        rows[name] = lead
    return rows, campaign


def ids(response):
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def test_prospects_lists_only_prospects(manager, funnel_rows):
    rows, _ = funnel_rows

    assert ids(token_client(manager).get("/api/v1/prospects/")) == {
        rows["prospect"].pk,
        rows["prospect_from_campaign"].pk,
    }


def test_customers_lists_only_customers(manager, funnel_rows):
    rows, _ = funnel_rows

    assert ids(token_client(manager).get("/api/v1/customers/")) == {rows["customer"].pk}


def test_stage_lists_take_the_lead_filters(manager, funnel_rows):
    rows, campaign = funnel_rows
    client = token_client(manager)

    by_campaign = client.get("/api/v1/prospects/", {"source_campaign": campaign.pk})
    assert ids(by_campaign) == {rows["prospect_from_campaign"].pk}
    assert ids(client.get("/api/v1/prospects/", {"stage": "lead"})) == set()


def test_stage_detail_has_the_lead_shape_and_is_404_outside_the_stage(manager, funnel_rows):
    rows, _ = funnel_rows
    client = token_client(manager)

    prospect = client.get(f"/api/v1/prospects/{rows['prospect'].pk}/")
    assert prospect.status_code == 200
    assert set(prospect.json()) == LEAD_KEYS
    assert prospect.json()["stage"] == "prospect"
    assert client.get(f"/api/v1/prospects/{rows['customer'].pk}/").status_code == 404
    assert client.get(f"/api/v1/customers/{rows['customer'].pk}/").status_code == 200
    assert client.get(f"/api/v1/customers/{rows['lead'].pk}/").status_code == 404


@pytest.mark.parametrize("url", ["/api/v1/prospects/", "/api/v1/customers/"])
def test_stage_lists_are_read_only(marketer, funnel_rows, url):
    rows, _ = funnel_rows
    client = token_client(marketer)
    customer = rows["customer"]

    assert client.post(url, {"email": "new@example.com"}).status_code == 405
    assert client.patch(f"{url}{customer.pk}/", {"company": "X"}).status_code == 405
    assert client.delete(f"{url}{customer.pk}/").status_code == 405
