"""The outbox: events are written in the same transaction as the change they report."""

import pytest
from django.db import transaction

from funnel.models import StageChange
from funnel.services import lead_transition, leads_move_bulk
from funnel.stages import Cause
from integrations.webhooks.models import WebhookDelivery, WebhookEvent
from integrations.webhooks.outbox import lead_created_record, leads_created_record
from leads.models import Lead
from tests.factories import LeadFactory
from tests.integrations.webhook_factories import WebhookEndpointFactory


class Boom(Exception):
    pass


def test_a_move_writes_its_event_and_one_delivery_per_subscribed_endpoint(db, manager):
    subscribed = WebhookEndpointFactory(events=["lead.stage_changed"])
    also = WebhookEndpointFactory(events=["lead.created", "lead.stage_changed"])
    WebhookEndpointFactory(events=["lead.created"])  # not subscribed to moves
    WebhookEndpointFactory(is_active=False)  # inactive
    lead = LeadFactory(first_name="Ada", email="ada@example.com")

    lead_transition(
        lead_id=lead.pk, to_stage="prospect", cause=Cause.MANUAL, actor=manager, reason="Call"
    )

    event = WebhookEvent.objects.get()
    change = StageChange.objects.get()
    assert event.type == "lead.stage_changed"
    assert event.lead_id == lead.pk
    assert event.occurred_at == change.at
    assert event.data == {
        "lead": {
            "id": lead.pk,
            "email": "ada@example.com",
            "first_name": "Ada",
            "last_name": lead.last_name,
            "company": lead.company,
            "stage": "prospect",
            "owner_id": None,
        },
        "stage_change_id": change.pk,
        "from_stage": "lead",
        "to_stage": "prospect",
        "cause": "manual",
        "reason": "Call",
        "actor_id": manager.pk,
        "at": change.at.isoformat().replace("+00:00", "Z"),
    }
    deliveries = WebhookDelivery.objects.filter(event=event)
    assert {d.endpoint_id for d in deliveries} == {subscribed.pk, also.pk}
    assert {d.status for d in deliveries} == {"pending"}
    assert {d.ordering_key for d in deliveries} == {lead.pk}


def test_a_rolled_back_move_leaves_no_event(db):
    WebhookEndpointFactory()
    lead = LeadFactory()

    with pytest.raises(Boom), transaction.atomic():
        lead_transition(lead_id=lead.pk, to_stage="prospect", cause=Cause.MANUAL)
        assert WebhookEvent.objects.count() == 1  # written inside the transaction...
        raise Boom

    # ...and gone with it, like the move itself.
    assert WebhookEvent.objects.count() == 0
    assert WebhookDelivery.objects.count() == 0
    assert StageChange.objects.count() == 0
    assert Lead.objects.get().stage == "lead"


def test_a_rolled_back_bulk_move_leaves_no_event(db):
    WebhookEndpointFactory()
    LeadFactory.create_batch(5, score=90)

    with pytest.raises(Boom), transaction.atomic():
        leads_move_bulk(candidates=Lead.objects.all(), to_stage="prospect", cause=Cause.RULE)
        raise Boom

    assert WebhookEvent.objects.count() == 0
    assert WebhookDelivery.objects.count() == 0


def test_the_bulk_mover_writes_one_event_per_move(db):
    WebhookEndpointFactory()
    WebhookEndpointFactory()
    leads = LeadFactory.create_batch(25, score=90)

    moved = leads_move_bulk(
        candidates=Lead.objects.all(), to_stage="prospect", cause=Cause.RULE, batch_size=10
    )

    assert len(moved) == 25
    events = WebhookEvent.objects.filter(type="lead.stage_changed")
    assert sorted(events.values_list("lead_id", flat=True)) == sorted(lead.pk for lead in leads)
    assert len({event.uid for event in events}) == 25
    assert {event.uid.version for event in events} == {4}
    assert WebhookDelivery.objects.count() == 50
    change_ids = set(StageChange.objects.values_list("id", flat=True))
    assert {event.data["stage_change_id"] for event in events} == change_ids
    assert all(event.data["cause"] == "rule" for event in events)


@pytest.mark.parametrize("n", [3, 300])
def test_the_outbox_costs_a_constant_number_of_queries_per_batch(n, db, django_assert_num_queries):
    WebhookEndpointFactory()
    WebhookEndpointFactory()
    LeadFactory.create_batch(n, score=90)

    # The mover's 5 (see tests/funnel/test_bulk_mover.py) plus: the subscribed
    # endpoints, INSERT ... SELECT of the events, the leads' open deliveries (per-lead
    # order), INSERT ... SELECT of the deliveries.
    with django_assert_num_queries(9):
        moved = leads_move_bulk(
            candidates=Lead.objects.all(), to_stage="prospect", cause=Cause.RULE, batch_size=1000
        )
    assert len(moved) == n
    assert WebhookDelivery.objects.count() == 2 * n


def test_without_subscribers_nothing_is_written_and_nothing_queued(
    db, django_capture_on_commit_callbacks
):
    WebhookEndpointFactory(events=["lead.created"])
    lead = LeadFactory()

    with django_capture_on_commit_callbacks() as callbacks:
        lead_transition(lead_id=lead.pk, to_stage="prospect", cause=Cause.MANUAL)

    assert WebhookEvent.objects.count() == 0
    # No dispatcher start was hooked on the commit (tests/integrations/test_webhook_dispatch.py
    # counts what a start publishes).
    assert not [c for c in callbacks if "_dispatch_on_commit" in getattr(c, "__qualname__", "")]


def test_lead_created_events_one_and_many(db):
    WebhookEndpointFactory(events=["lead.created"])
    one = LeadFactory()
    many = LeadFactory.create_batch(4)

    lead_created_record(lead=one)
    assert leads_created_record(lead_ids=[lead.pk for lead in many]) == 4

    events = WebhookEvent.objects.filter(type="lead.created").order_by("lead_id")
    assert [e.lead_id for e in events] == [one.pk, *(lead.pk for lead in many)]
    assert events[0].data["lead"]["email"] == one.email
    assert events[0].occurred_at == one.created_at
    assert {e.data["lead"]["stage"] for e in events} == {"lead"}


def test_creating_a_lead_writes_lead_created(db, rep):
    from leads.services import lead_create

    WebhookEndpointFactory(events=["lead.created"])

    lead = lead_create(email="New@Example.com", first_name="Grace", created_by=rep)

    event = WebhookEvent.objects.get()
    assert (event.type, event.lead_id) == ("lead.created", lead.pk)
    assert event.data["lead"]["email"] == "new@example.com"
    assert event.data["lead"]["owner_id"] == rep.pk


def test_a_refused_lead_writes_no_event(db):
    from django.core.exceptions import ValidationError

    from leads.services import lead_create

    WebhookEndpointFactory(events=["lead.created"])
    LeadFactory(email="taken@example.com")

    with pytest.raises(ValidationError):
        lead_create(email="TAKEN@example.com")
    assert not WebhookEvent.objects.exists()


def test_winning_and_losing_deals_write_deal_events(db, rep):
    from sales.services.deals import deal_lose, deal_win
    from tests.sales.factories import DealFactory, prospect

    WebhookEndpointFactory(events=["deal.won", "deal.lost", "lead.stage_changed"])
    lead = prospect(owner=rep)
    won = DealFactory(lead=lead, amount="1200.00", title="Annual plan")
    lost = DealFactory(lead=lead, amount="50.00")

    deal_win(deal_id=won.pk, actor=rep, cause=Cause.MANUAL)
    deal_lose(deal_id=lost.pk, actor=rep, reason="Budget cut")

    events = list(WebhookEvent.objects.order_by("id"))
    # The win comes first, then the move it causes, then the loss: per-lead order.
    assert [e.type for e in events][-3:] == ["deal.won", "lead.stage_changed", "deal.lost"]
    won_event, moved, lost_event = events[-3:]
    assert won_event.data["deal"] == {
        "id": won.pk,
        "title": "Annual plan",
        "amount": "1200.00",
        "currency": "USD",
        "status": "won",
        "closed_on": won_event.data["deal"]["closed_on"],
        "owner_id": rep.pk,
        "lost_reason": "",
    }
    assert won_event.data["lead"]["id"] == lead.pk
    assert moved.data["to_stage"] == "customer"
    assert lost_event.data["deal"]["lost_reason"] == "Budget cut"
    # Only the lead's oldest open delivery may go; the others wait their turn.
    heads = WebhookDelivery.objects.order_by("id").values_list("is_head", flat=True)
    assert list(heads) == [True] + [False] * (len(events) - 1)
