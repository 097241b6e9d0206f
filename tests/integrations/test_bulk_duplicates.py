"""An email repeated within one request is applied in order, deterministically."""

import pytest

from leads.models import Lead
from tests.api.clients import token_client
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/leads/bulk/"


def test_repeats_of_a_new_email_merge_in_order(manager):
    response = token_client(manager).post(
        URL,
        {
            "leads": [
                {"email": "ada@example.com", "first_name": "Ada", "company": "First"},
                {"email": "other@example.com"},
                {"email": "Ada@Example.COM", "company": "Second", "title": "CTO"},
            ]
        },
    )

    results = response.json()["results"]
    ada = Lead.objects.get(email="ada@example.com")
    assert [(r["status"], r["id"]) for r in results] == [
        ("created", ada.pk),
        ("created", Lead.objects.get(email="other@example.com").pk),
        ("updated", ada.pk),
    ]
    assert response.json()["created"] == 2 and response.json()["updated"] == 1
    assert (ada.first_name, ada.company, ada.title) == ("Ada", "Second", "CTO")
    assert Lead.objects.count() == 2


def test_repeats_of_an_existing_email_are_all_updates(manager):
    lead = LeadFactory(email="ada@example.com", company="Old")

    response = token_client(manager).post(
        URL,
        {"leads": [{"email": "ada@example.com", "company": "A"}, {"email": "ada@example.com"}]},
    )

    assert [r["status"] for r in response.json()["results"]] == ["updated", "updated"]
    lead.refresh_from_db()
    assert lead.company == "A"


def test_an_invalid_repeat_does_not_spoil_the_valid_one(manager):
    response = token_client(manager).post(
        URL,
        {
            "leads": [
                {"email": "ada@example.com", "company": "Good"},
                {"email": "ada@example.com", "company": "x" * 500},
            ]
        },
    )

    assert [r["status"] for r in response.json()["results"]] == ["created", "error"]
    assert Lead.objects.get().company == "Good"


def test_the_same_request_twice_gives_the_same_leads(manager):
    client = token_client(manager)
    body = {
        "leads": [
            {"email": "b@example.com", "company": "One"},
            {"email": "a@example.com"},
            {"email": "B@example.com", "company": "Two"},
        ]
    }

    first = client.post(URL, body).json()
    state = list(Lead.objects.order_by("email").values_list("email", "company"))
    second = client.post(URL, body).json()

    assert [r["id"] for r in first["results"]] == [r["id"] for r in second["results"]]
    # Nothing new in the second: every row is `unchanged` (issue 11: no phantom updates).
    assert [r["status"] for r in second["results"]] == ["unchanged"] * 3
    assert list(Lead.objects.order_by("email").values_list("email", "company")) == state
