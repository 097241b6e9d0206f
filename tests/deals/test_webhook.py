"""`deal.stage_changed` goes through the webhook outbox, in the moving transaction."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from funnel.stages import Cause
from integrations.webhooks.models import WebhookDelivery, WebhookEvent
from sales.pipeline.services import deal_move
from tests.integrations.webhook_factories import WebhookEndpointFactory
from tests.sales.factories import DealFactory, prospect

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def test_a_move_records_the_event_with_both_stages(rep):
    endpoint = WebhookEndpointFactory(events=["deal.stage_changed"])
    WebhookEndpointFactory(events=["deal.won"])  # not subscribed to moves
    deal = DealFactory(lead=prospect(owner=rep), amount=Decimal("750.00"), title="Pilot")
    deal_move(deal_id=deal.pk, to_stage="Demo", actor=rep, cause=Cause.API, reason="Booked")

    event = WebhookEvent.objects.get(type="deal.stage_changed")
    assert event.lead_id == deal.lead_id
    assert event.data["deal"]["id"] == deal.pk and event.data["deal"]["amount"] == "750.00"
    assert event.data["from_stage"]["name"] == "Qualification"
    assert (event.data["to_stage"]["name"], event.data["to_stage"]["probability"]) == ("Demo", 25)
    assert (event.data["actor_id"], event.data["reason"]) == (rep.pk, "Booked")
    assert list(WebhookDelivery.objects.values_list("endpoint_id", flat=True)) == [endpoint.pk]


def test_a_won_move_records_stage_changed_and_won(rep):
    WebhookEndpointFactory(events=["deal.stage_changed", "deal.won"])
    deal = DealFactory(lead=prospect(owner=rep))
    deal_move(deal_id=deal.pk, to_stage="Won", actor=rep, cause=Cause.MANUAL)
    assert list(WebhookEvent.objects.order_by("id").values_list("type", flat=True)) == [
        "deal.stage_changed",
        "deal.won",
    ]


def test_a_rolled_back_move_records_nothing(rep):
    WebhookEndpointFactory(events=["deal.stage_changed"])
    deal = DealFactory(lead=prospect(owner=rep))
    with pytest.raises(Boom), transaction.atomic():
        deal_move(deal_id=deal.pk, to_stage="Demo", actor=rep, cause=Cause.MANUAL)
        raise Boom
    assert not WebhookEvent.objects.exists()


def test_a_refused_move_records_nothing(rep):
    WebhookEndpointFactory(events=["deal.stage_changed"])
    deal = DealFactory(lead=prospect(owner=rep))
    with pytest.raises(ValidationError):
        deal_move(deal_id=deal.pk, to_stage="Nowhere", actor=rep, cause=Cause.MANUAL)
    assert not WebhookEvent.objects.exists()
