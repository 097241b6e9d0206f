"""Bulk upsert follows the merge policy: unchanged rows write nothing, `fill_empty` fills
only blanks, and every change leaves field history naming the request."""

import pytest
import time_machine

from integrations.webhooks.models import WebhookEndpoint, WebhookEvent
from leads.models import Lead, LeadChange
from tests.api.clients import token_client
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/leads/bulk/"


def test_an_identical_repost_is_unchanged_and_writes_nothing(manager):
    WebhookEndpoint.objects.create(url="https://93.184.216.34/hook", events=["lead.created"])
    client = token_client(manager)
    body = {"leads": [{"email": "ada@example.com", "company": "Acme", "phone": "1"}]}
    with time_machine.travel("2026-03-01 10:00Z", tick=False):
        client.post(URL, body, format="json")
    with time_machine.travel("2026-03-02 10:00Z", tick=False):
        second = client.post(URL, body, format="json").json()

    assert (second["unchanged"], second["updated"], second["created"]) == (1, 0, 0)
    assert second["results"][0]["status"] == "unchanged"
    lead = Lead.objects.get()
    assert lead.updated_at.day == 1
    assert not LeadChange.objects.exists()
    assert WebhookEvent.objects.count() == 1


def test_changed_fields_are_written_with_history(manager):
    lead = LeadFactory(email="ada@example.com", company="Old", phone="1")

    response = token_client(manager).post(
        URL,
        {"leads": [{"email": "ADA@example.com", "company": "New", "phone": "1"}]},
        format="json",
        HTTP_X_REQUEST_ID="req-42",
    )

    assert response.json()["results"][0]["status"] == "updated"
    change = LeadChange.objects.get()
    assert (change.lead_id, change.field, change.old_value, change.new_value) == (
        lead.pk,
        "company",
        "Old",
        "New",
    )
    assert (change.source, change.actor, change.request_id) == ("bulk", manager, "req-42")


def test_fill_empty_writes_only_blank_fields(manager):
    lead = LeadFactory(email="ada@example.com", company="Kept", phone="")

    response = token_client(manager).post(
        URL,
        {
            "merge": "fill_empty",
            "leads": [{"email": "ada@example.com", "company": "Other", "phone": "555"}],
        },
        format="json",
    )

    assert response.json()["results"][0]["status"] == "updated"
    lead.refresh_from_db()
    assert (lead.company, lead.phone) == ("Kept", "555")
    assert list(LeadChange.objects.values_list("field", flat=True)) == ["phone"]


def test_an_unknown_merge_mode_is_a_400(manager):
    response = token_client(manager).post(
        URL, {"merge": "clobber", "leads": [{"email": "a@example.com"}]}, format="json"
    )

    assert response.status_code == 400
    assert "merge" in response.json()
    assert not Lead.objects.exists()


def test_a_lead_the_caller_may_not_edit_is_refused_with_the_reason(rep, other_rep):
    theirs = LeadFactory(email="peggy@example.com", owner=other_rep, first_name="Peggy")

    body = (
        token_client(rep)
        .post(
            URL, {"leads": [{"email": "Peggy@example.com", "first_name": "Dmitri"}]}, format="json"
        )
        .json()
    )

    assert body["refused"] == 1
    assert body["results"][0]["status"] == "refused"
    assert "may not change" in body["results"][0]["errors"]["email"][0]
    theirs.refresh_from_db()
    assert theirs.first_name == "Peggy"
    assert not LeadChange.objects.exists()
