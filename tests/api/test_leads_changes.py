"""`GET leads/{id}/changes/`: the lead's field history, newest first, scoped like the lead."""

import pytest
import time_machine

from tests.api.clients import token_client
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_api_edits_are_listed_with_who_when_source_and_request(manager):
    lead = LeadFactory(company="Old", title="")
    client = token_client(manager)
    with time_machine.travel("2026-03-01 10:00Z", tick=False):
        client.patch(
            f"/api/v1/leads/{lead.pk}/",
            {"company": "New", "title": "CTO"},
            format="json",
            HTTP_X_REQUEST_ID="req-7",
        )
    with time_machine.travel("2026-03-02 10:00Z", tick=False):
        client.patch(f"/api/v1/leads/{lead.pk}/", {"company": "Newer"}, format="json")

    body = client.get(f"/api/v1/leads/{lead.pk}/changes/").json()

    rows = [(r["field"], r["old_value"], r["new_value"], r["source"]) for r in body["results"]]
    assert rows[0] == ("company", "New", "Newer", "api")
    assert sorted(rows[1:]) == [("company", "Old", "New", "api"), ("title", "", "CTO", "api")]
    assert body["results"][1]["request_id"] == "req-7"
    assert body["results"][1]["actor"]["username"] == manager.username
    assert body["results"][1]["at"].startswith("2026-03-01")


def test_another_reps_lead_is_a_404(rep, other_rep):
    lead = LeadFactory(owner=other_rep)

    assert token_client(rep).get(f"/api/v1/leads/{lead.pk}/changes/").status_code == 404


def test_queries_do_not_grow_with_changes(manager, django_assert_num_queries):
    lead = LeadFactory()
    client = token_client(manager)
    for n in range(5):
        client.patch(f"/api/v1/leads/{lead.pk}/", {"company": f"Co {n}"}, format="json")
    client.get("/api/v1/leads/")  # token and groups warm-up

    with django_assert_num_queries(4):
        # token + user, groups, the lead, one page of changes with their actors
        response = client.get(f"/api/v1/leads/{lead.pk}/changes/")

    assert len(response.json()["results"]) == 5
