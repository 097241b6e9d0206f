"""POST campaigns/{id}/spend/ and POST touches/ answer one object for one object and a
plain list (not a page) for a list; the schema documents both shapes."""

import pytest

from tests.api.clients import token_client
from tests.factories import CampaignFactory, LeadFactory
from tests.schema.conformance import schema_errors

pytestmark = pytest.mark.django_db

SPEND = "/api/v1/campaigns/{id}/spend/"
TOUCHES = "/api/v1/touches/"


@pytest.mark.parametrize("many", [False, True], ids=["one", "many"])
def test_spend_answers_conform(manager, many):
    campaign = CampaignFactory()
    line = {"day": "2025-02-01", "amount": "99.90"}

    response = token_client(manager).post(
        SPEND.format(id=campaign.pk), [line] if many else line, format="json"
    )

    assert response.status_code == 201, response.json()
    assert isinstance(response.json(), list) is many
    assert schema_errors(SPEND, "post", response) == []


@pytest.mark.parametrize("many", [False, True], ids=["one", "many"])
def test_touch_answers_conform(manager, many):
    touch = {"lead": LeadFactory().pk, "campaign": CampaignFactory().pk, "kind": "page_visit"}

    response = token_client(manager).post(TOUCHES, [touch] if many else touch, format="json")

    assert response.status_code == 201, response.json()
    assert isinstance(response.json(), list) is many
    assert schema_errors(TOUCHES, "post", response) == []
