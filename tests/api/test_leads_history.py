from datetime import timedelta

import pytest
from django.utils import timezone

from funnel.services import lead_transition
from funnel.stages import Cause
from tests.api.clients import token_client
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def travelled(manager):
    """A lead that went lead → prospect → lost → prospect → customer, moved by a person
    and by a rule."""
    start = timezone.now() - timedelta(days=30)
    lead = LeadFactory(created_at=start)
    moves = [
        ("prospect", start + timedelta(days=1), manager, Cause.MANUAL, "Demo booked"),
        ("lost", start + timedelta(days=5), None, Cause.RULE, "Went quiet"),
        ("prospect", start + timedelta(days=9), manager, Cause.API, ""),
        ("customer", start + timedelta(days=20), manager, Cause.MANUAL, "Signed"),
    ]
    for to_stage, at, actor, cause, reason in moves:
        lead_transition(
            lead_id=lead.pk, to_stage=to_stage, cause=cause, actor=actor, reason=reason, at=at
        )
    return lead


def test_history_lists_every_move_oldest_first_with_its_fields(manager, travelled):
    response = token_client(manager).get(f"/api/v1/leads/{travelled.pk}/history/")

    assert response.status_code == 200
    items = response.json()["results"]
    assert [(i["from_stage"], i["to_stage"]) for i in items] == [
        ("lead", "prospect"),
        ("prospect", "lost"),
        ("lost", "prospect"),
        ("prospect", "customer"),
    ]
    assert set(items[0]) == {"id", "from_stage", "to_stage", "at", "actor", "cause", "reason"}
    assert items[0]["actor"] == {"id": manager.pk, "username": manager.username}
    assert (items[0]["cause"], items[0]["reason"]) == ("manual", "Demo booked")
    assert (items[1]["actor"], items[1]["cause"], items[1]["reason"]) == (
        None,
        "rule",
        "Went quiet",
    )
    stamps = [i["at"] for i in items]
    assert stamps == sorted(stamps)


def test_history_is_paginated_oldest_first_across_pages(manager, travelled):
    client = token_client(manager)

    first = client.get(f"/api/v1/leads/{travelled.pk}/history/", {"page_size": 3}).json()
    second = client.get(first["next"]).json()

    assert [i["to_stage"] for i in first["results"]] == ["prospect", "lost", "prospect"]
    assert [i["to_stage"] for i in second["results"]] == ["customer"]
    assert second["next"] is None


def test_history_of_a_lead_that_never_moved_is_empty(manager):
    response = token_client(manager).get(f"/api/v1/leads/{LeadFactory().pk}/history/")

    assert response.status_code == 200
    assert response.json()["results"] == []


def test_history_ignores_lead_filters_in_the_query_string(manager, travelled):
    response = token_client(manager).get(f"/api/v1/leads/{travelled.pk}/history/?stage=lead")

    assert response.status_code == 200
    assert len(response.json()["results"]) == 4


def test_history_of_unknown_lead_is_404(manager):
    assert token_client(manager).get("/api/v1/leads/424242/history/").status_code == 404


def test_history_costs_the_same_queries_whatever_its_length(
    manager, travelled, django_assert_num_queries
):
    client = token_client(manager)
    short = LeadFactory()
    lead_transition(lead_id=short.pk, to_stage="prospect", cause=Cause.API, actor=manager)
    client.get("/api/v1/leads/", {"page_size": 1})  # warm the content-type cache

    # token+user, groups, the lead, the page of history with actors joined
    with django_assert_num_queries(4):
        assert len(client.get(f"/api/v1/leads/{short.pk}/history/").json()["results"]) == 1
    with django_assert_num_queries(4):
        assert len(client.get(f"/api/v1/leads/{travelled.pk}/history/").json()["results"]) == 4
