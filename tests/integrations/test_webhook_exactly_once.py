"""Exactly once to a receiver that answers the receipt check, through the outage of
issue 12: the first POST is answered after the read timeout, then the receiver refuses
connections for a while, then it is back. Once a try's outcome is unknown it stays
unknown until a receipt check is answered, so the event is never POSTed again."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from standardwebhooks import Webhook

from integrations.webhooks.delivery import delivery_attempt, delivery_claim_next
from integrations.webhooks.models import WebhookAttempt, WebhookDelivery
from integrations.webhooks.outbox import event_record
from tests.factories import LeadFactory
from tests.integrations.webhook_factories import WebhookEndpointFactory
from tests.integrations.webhook_receiver import Receiver


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    # The real values (5 s and 10 s) scaled down: the receiver is 3x past the timeout.
    settings.WEBHOOKS_CONNECT_TIMEOUT = 0.5
    settings.WEBHOOKS_READ_TIMEOUT = 0.3
    with Receiver(answers_receipt_checks=True) as running:
        yield running


def attempt_when_due():
    """One try of the due delivery, at the time it is due (the clock pinned there)."""
    due = WebhookDelivery.objects.get().next_attempt_at
    with time_machine.travel(due + timedelta(seconds=1), tick=False):
        claim = delivery_claim_next()
        assert claim is not None, "the delivery should be due"
        return delivery_attempt(claim=claim)


def test_a_timeout_then_an_outage_does_not_deliver_the_event_twice(db, receiver):
    endpoint = WebhookEndpointFactory(url=receiver.url)
    lead = LeadFactory()
    event = event_record(event_type="lead.created", data={"n": 1}, lead_id=lead.pk)
    event_id = str(event.uid)

    receiver.delay = 1.0  # takes the event, answers after the read timeout
    with time_machine.travel(timezone.now(), tick=False):
        attempt_when_due()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.outcome_unknown) == ("pending", True)

    receiver.go_down()  # attempt 2: the receipt check cannot connect
    attempt_when_due()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.outcome_unknown) == ("pending", True)

    receiver.delay = 0
    receiver.come_back()  # attempt 3: asks first, and the receiver says it has it
    attempt_when_due()

    delivery.refresh_from_db()
    assert delivery.status == "delivered"
    assert receiver.counts_by_event_id() == {event_id: 1}
    attempts = WebhookAttempt.objects.order_by("number")
    assert [(a.number, a.outcome) for a in attempts] == [
        (1, "failed"),
        (2, "failed"),
        (3, "confirmed"),
    ]
    assert attempts[1].error.startswith("Receipt check:")
    (check,) = receiver.checks  # attempt 2's check never reached it
    assert check.event_id == event_id
    Webhook(endpoint.secret).verify(b"", check.headers, json_parse=False)


def test_an_unknown_outcome_survives_a_refused_url_check(db, receiver, settings):
    WebhookEndpointFactory(url=receiver.url)
    event_record(event_type="lead.created", data={}, lead_id=None)
    receiver.delay = 1.0
    attempt_when_due()

    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False  # nothing sent: nothing learnt
    attempt_when_due()

    assert WebhookDelivery.objects.get().outcome_unknown
