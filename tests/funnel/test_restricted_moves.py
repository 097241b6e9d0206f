"""A customer back to prospect: a manager-only move, with a reason, recorded in the ledger
like any other; never made by a rep, an integration user without the role, or in bulk."""

import pytest
from django.core.exceptions import ValidationError

from funnel.models import StageChange
from funnel.services import lead_transition, leads_move_bulk
from funnel.stages import Cause, MoveNeedsManager, Stage, can_move, next_stages
from leads.models import Lead
from tests import factories
from tests.api.clients import token_client

pytestmark = pytest.mark.django_db


def customer(owner=None) -> Lead:
    lead = factories.LeadFactory(owner=owner)
    for stage in (Stage.PROSPECT, Stage.CUSTOMER):
        lead = lead_transition(lead_id=lead.pk, to_stage=stage, cause=Cause.MANUAL)
    return lead


def test_the_graph_offers_it_to_managers_only():
    assert next_stages("customer") == []
    assert next_stages("customer", manager=True) == [Stage.PROSPECT]
    assert not can_move("customer", "prospect")
    assert not can_move("customer", "lead", manager=True)


def test_a_manager_moves_a_customer_back_with_a_reason_into_the_ledger(manager):
    lead = customer()
    became_customer_at = lead.became_customer_at

    moved = lead_transition(
        lead_id=lead.pk,
        to_stage=Stage.PROSPECT,
        cause=Cause.MANUAL,
        actor=manager,
        reason="Deal won by mistake",
    )

    assert moved.stage == Stage.PROSPECT
    change = StageChange.objects.filter(lead=lead).latest("at", "pk")
    assert (change.from_stage, change.to_stage) == (Stage.CUSTOMER, Stage.PROSPECT)
    assert (change.actor, change.reason) == (manager, "Deal won by mistake")
    # Metric definitions are unchanged: the lead was once a customer and still counts.
    assert Lead.objects.get(pk=lead.pk).became_customer_at == became_customer_at


def test_a_rep_is_refused_and_nothing_is_written(rep):
    lead = customer(owner=rep)
    before = StageChange.objects.count()
    with pytest.raises(MoveNeedsManager, match="Only a manager"):
        lead_transition(
            lead_id=lead.pk, to_stage=Stage.PROSPECT, cause=Cause.MANUAL, actor=rep, reason="x"
        )
    assert StageChange.objects.count() == before
    assert Lead.objects.get(pk=lead.pk).stage == Stage.CUSTOMER


def test_no_actor_no_move():
    lead = customer()
    with pytest.raises(MoveNeedsManager):
        lead_transition(lead_id=lead.pk, to_stage=Stage.PROSPECT, cause=Cause.TASK, reason="x")


def test_a_manager_must_say_why(manager):
    lead = customer()
    with pytest.raises(ValidationError) as refused:
        lead_transition(lead_id=lead.pk, to_stage=Stage.PROSPECT, cause=Cause.MANUAL, actor=manager)
    assert "reason" in refused.value.message_dict
    assert Lead.objects.get(pk=lead.pk).stage == Stage.CUSTOMER


def test_bulk_moves_never_take_customers_back(manager):
    lead = customer()
    moved = leads_move_bulk(
        candidates=Lead.objects.all(), to_stage=Stage.PROSPECT, cause=Cause.TASK, actor=manager
    )
    assert lead.pk not in moved
    assert Lead.objects.get(pk=lead.pk).stage == Stage.CUSTOMER


def test_api_answers_403_to_a_rep_and_200_to_a_manager(rep, manager):
    lead = customer(owner=rep)
    url = f"/api/v1/leads/{lead.pk}/transition/"
    body = {"to": "prospect", "reason": "Won by mistake"}

    refused = token_client(rep).post(url, body, format="json")
    assert refused.status_code == 403
    assert refused.json()["from_stage"] == "customer"

    no_reason = token_client(manager).post(url, {"to": "prospect"}, format="json")
    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()

    done = token_client(manager).post(url, body, format="json")
    assert done.status_code == 200
    assert done.json()["stage"] == "prospect"
