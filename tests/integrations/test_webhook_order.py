"""Per-lead order: for one endpoint, a later event about a lead is not sent while an
earlier one about the same lead is still open; other leads are not held back."""

import pytest
from django.utils import timezone

from funnel.services import lead_transition
from funnel.stages import Cause
from integrations.webhooks.delivery import delivery_claim_next
from integrations.webhooks.models import WebhookDelivery
from tests.factories import LeadFactory
from tests.integrations.webhook_factories import WebhookEndpointFactory, dispatch_all
from tests.integrations.webhook_receiver import Receiver


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    settings.WEBHOOKS_MAX_ATTEMPTS = 2
    with Receiver(status=500) as running:
        yield running


def move(lead, *stages):
    for stage in stages:
        lead_transition(lead_id=lead.pk, to_stage=stage, cause=Cause.MANUAL)


def make_due():
    WebhookDelivery.objects.filter(status="pending").update(next_attempt_at=timezone.now())


def stages_received(receiver, lead):
    return [
        r.payload["data"]["to_stage"]
        for r in receiver.posts()
        if r.payload["data"]["lead"]["id"] == lead.pk
    ]


def test_a_failing_event_holds_back_later_events_of_its_lead_only(db, receiver):
    WebhookEndpointFactory(url=receiver.url)
    held, other = LeadFactory(), LeadFactory()
    move(held, "prospect", "lost", "lead")
    move(other, "prospect")

    dispatch_all()

    # The first event of `held` failed and waits for its retry; its two later events
    # were not sent. `other` was not held back.
    assert stages_received(receiver, held) == ["prospect"]
    assert stages_received(receiver, other) == ["prospect"]

    receiver.status = 200
    make_due()
    dispatch_all()

    assert stages_received(receiver, held) == ["prospect", "prospect", "lost", "lead"]


def test_a_dead_letter_releases_the_events_after_it(db, receiver):
    WebhookEndpointFactory(url=receiver.url)
    lead = LeadFactory()
    move(lead, "prospect", "lost")
    dispatch_all()
    make_due()
    assert stages_received(receiver, lead) == ["prospect"]

    dispatch_all()

    # The second and last try of the first event dead-lettered it, which let the next
    # event go at once, in the same run.
    first, second = WebhookDelivery.objects.order_by("id")
    assert first.status == "dead"
    assert stages_received(receiver, lead) == ["prospect", "prospect", "lost"]
    receiver.status = 200
    make_due()
    dispatch_all()
    second.refresh_from_db()
    assert second.status == "delivered"


def test_order_is_kept_per_endpoint(db, settings, receiver):
    with Receiver(status=200) as healthy:
        WebhookEndpointFactory(url=receiver.url)
        WebhookEndpointFactory(url=healthy.url)
        lead = LeadFactory()
        move(lead, "prospect", "lost")

        dispatch_all()

        # The failing endpoint holds its own second event; the healthy one gets both.
        assert stages_received(receiver, lead) == ["prospect"]
        assert stages_received(healthy, lead) == ["prospect", "lost"]


def test_claims_hand_out_only_the_oldest_open_delivery_of_a_lead(db, receiver):
    WebhookEndpointFactory(url=receiver.url)
    lead = LeadFactory()
    move(lead, "prospect", "lost", "lead")

    claim = delivery_claim_next()

    # While the first is being sent, nothing else about the lead may be claimed.
    assert claim.delivery.event.data["to_stage"] == "prospect"
    assert delivery_claim_next() is None
