"""Leads created by a bulk upsert announce themselves like any new lead (`lead.created`),
in the upsert's transaction; updated ones do not."""

import pytest

from integrations.webhooks.models import WebhookEndpoint, WebhookEvent
from tests.api.clients import token_client
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_each_created_lead_gets_one_lead_created_event(manager):
    WebhookEndpoint.objects.create(url="https://93.184.216.34/hook", events=["lead.created"])
    LeadFactory(email="old@example.com")

    response = token_client(manager).post(
        "/api/v1/leads/bulk/",
        {
            "leads": [
                {"email": "old@example.com", "company": "Updated"},
                {"email": "new1@example.com"},
                {"email": "new2@example.com"},
                {"email": "NEW1@example.com", "company": "Twice"},
                {"email": "broken"},
            ]
        },
    )

    created_ids = {r["id"] for r in response.json()["results"] if r["status"] == "created"}
    events = WebhookEvent.objects.filter(type="lead.created")
    assert len(created_ids) == 2
    assert sorted(event.lead_id for event in events) == sorted(created_ids)
    assert {event.data["lead"]["email"] for event in events} == {
        "new1@example.com",
        "new2@example.com",
    }
