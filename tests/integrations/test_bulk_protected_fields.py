"""Bulk upsert cannot set stage, owner or score, nor edit a lead the caller may not."""

import pytest

from leads.models import Lead
from tests.api.clients import token_client
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/leads/bulk/"


@pytest.mark.parametrize(
    ("field", "value"), [("stage", "customer"), ("owner", 1), ("score", 99), ("stage", "lead")]
)
def test_items_sending_stage_owner_or_score_are_refused(manager, rep, field, value):
    lead = LeadFactory(email="ada@example.com")
    if field == "owner":
        value = rep.pk

    response = token_client(manager).post(
        URL,
        {
            "leads": [
                {"email": "ada@example.com", field: value, "company": "Changed"},
                {"email": "new@example.com", field: value},
            ]
        },
    )

    results = response.json()["results"]
    assert [r["status"] for r in results] == ["error", "error"]
    assert all(set(r["errors"]) == {field} for r in results)
    lead.refresh_from_db()
    assert (lead.stage, lead.owner, lead.score, lead.company) == ("lead", None, 0, lead.company)
    assert lead.company != "Changed"
    assert not Lead.objects.filter(email="new@example.com").exists()


def test_other_read_only_fields_are_ignored(manager):
    lead = LeadFactory(email="ada@example.com")
    created_at = lead.created_at

    token_client(manager).post(
        URL,
        {
            "leads": [
                {
                    "email": "ada@example.com",
                    "id": 12345,
                    "created_at": "2001-01-01T00:00:00Z",
                    "became_customer_at": "2001-01-01T00:00:00Z",
                }
            ]
        },
    )

    lead.refresh_from_db()
    assert lead.pk != 12345 and lead.created_at == created_at
    assert lead.became_customer_at is None


def test_a_rep_creates_own_leads_and_updates_only_their_own(rep, other_rep):
    mine = LeadFactory(email="mine@example.com", owner=rep, company="Mine")
    theirs = LeadFactory(email="theirs@example.com", owner=other_rep, company="Theirs")
    pool = LeadFactory(email="pool@example.com", owner=None, company="Pool")

    response = token_client(rep).post(
        URL,
        {
            "leads": [
                {"email": "mine@example.com", "company": "Mine 2"},
                {"email": "theirs@example.com", "company": "Hijacked"},
                {"email": "pool@example.com", "company": "Hijacked"},
                {"email": "new@example.com"},
            ]
        },
    )

    results = response.json()["results"]
    assert [r["status"] for r in results] == ["updated", "refused", "refused", "created"]
    # The same answer for a foreign lead and an unassigned one: ownership is not revealed.
    assert results[1]["errors"] == results[2]["errors"]
    assert results[1]["id"] is None
    for lead, company in ((mine, "Mine 2"), (theirs, "Theirs"), (pool, "Pool")):
        lead.refresh_from_db()
        assert lead.company == company
    assert Lead.objects.get(email="new@example.com").owner == rep


def test_a_user_without_a_role_is_403():
    from tests.factories import UserFactory

    response = token_client(UserFactory()).post(URL, {"leads": [{"email": "a@example.com"}]})

    assert response.status_code == 403
    assert not Lead.objects.exists()
