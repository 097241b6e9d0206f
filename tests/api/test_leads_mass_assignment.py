"""stage, owner and score have their own writers: create/update refuse to change them."""

import pytest

from funnel.stages import Stage
from leads.models import Lead
from tests.api.clients import token_client
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "value"),
    [("stage", "customer"), ("owner", "OTHER_REP"), ("score", 99), ("stage", "bogus")],
)
def test_create_refuses_protected_fields(rep, other_rep, field, value):
    value = other_rep.pk if value == "OTHER_REP" else value

    response = token_client(rep).post(
        "/api/v1/leads/", {"email": "new@example.com", field: value}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert "Read-only" in response.json()[field][0]
    assert not Lead.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"), [("stage", "customer"), ("owner", None), ("score", 99.5), ("score", True)]
)
def test_update_refuses_to_change_protected_fields(rep, field, value):
    lead = LeadFactory(owner=rep, score=10, company="Old")

    response = token_client(rep).patch(
        f"/api/v1/leads/{lead.pk}/", {field: value, "company": "New"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == [field]
    lead.refresh_from_db()
    assert (lead.stage, lead.owner, lead.score, lead.company) == (Stage.LEAD, rep, 10, "Old")
    assert not lead.stage_changes.exists()


def test_a_lead_read_and_sent_back_unchanged_is_accepted(rep):
    # GET, edit one field, PUT the whole object back: read-only values are ignored when
    # they equal what is stored.
    lead = LeadFactory(owner=rep, score=12.5)
    client = token_client(rep)
    body = client.get(f"/api/v1/leads/{lead.pk}/").json()
    body["company"] = "Edited"
    body["created_at"] = "2001-01-01T00:00:00Z"

    response = client.put(f"/api/v1/leads/{lead.pk}/", body, format="json")

    assert response.status_code == 200, response.json()
    lead.refresh_from_db()
    assert lead.company == "Edited"
    assert lead.created_at.year != 2001
    assert (lead.stage, lead.owner, lead.score) == (Stage.LEAD, rep, 12.5)


def test_create_accepts_the_values_it_would_set_anyway(rep):
    response = token_client(rep).post(
        "/api/v1/leads/",
        {"email": "new@example.com", "stage": "lead", "owner": rep.pk, "score": 0},
        format="json",
    )

    assert response.status_code == 201
    assert Lead.objects.get().owner == rep
