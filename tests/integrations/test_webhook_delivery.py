"""Real deliveries to a local receiver: request shape, leases, recovery and the receipt
check that keeps a crash or a timeout from delivering an event twice."""

import json
import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from funnel.services import lead_transition
from funnel.stages import Cause
from integrations.webhooks.delivery import (
    deliveries_recover_expired,
    delivery_attempt,
    delivery_claim_next,
)
from integrations.webhooks.models import WebhookAttempt, WebhookDelivery
from tests.factories import LeadFactory
from tests.integrations.webhook_factories import WebhookEndpointFactory, dispatch_all
from tests.integrations.webhook_receiver import Receiver
from tests.support import postgres_only


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    with Receiver(answers_receipt_checks=True) as running:
        yield running


def move_one():
    lead = LeadFactory()
    lead_transition(lead_id=lead.pk, to_stage="prospect", cause=Cause.MANUAL)
    return lead


def expire_leases():
    WebhookDelivery.objects.filter(status="sending").update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )


def test_a_delivery_is_a_signed_json_post_with_the_event_id(db, receiver):
    WebhookEndpointFactory(url=receiver.url)
    lead = move_one()

    assert dispatch_all() == 1

    (receipt,) = receiver.posts()
    delivery = WebhookDelivery.objects.select_related("event").get()
    body = json.loads(receipt.body)
    assert receipt.path == "/hooks/funnel"
    assert receipt.headers["content-type"] == "application/json"
    assert receipt.headers["user-agent"] == "Funnel-Webhooks/1.0"
    assert receipt.headers["webhook-id"] == body["id"] == str(delivery.event.uid)
    assert receipt.headers["webhook-timestamp"].isdigit()
    assert receipt.headers["webhook-signature"].startswith("v1,")
    assert receipt.headers["funnel-event-type"] == body["type"] == "lead.stage_changed"
    assert receipt.headers["funnel-delivery-attempt"] == "1"
    assert set(body) == {"id", "type", "timestamp", "data"}
    assert body["timestamp"].endswith("Z")
    assert body["data"]["lead"]["id"] == lead.pk
    assert delivery.status == "delivered"
    assert delivery.completed_at is not None
    attempt = WebhookAttempt.objects.get()
    assert (attempt.outcome, attempt.status_code) == ("succeeded", 200)


def test_every_try_sends_the_same_bytes(db, receiver, settings):
    receiver.status = 500
    WebhookEndpointFactory(url=receiver.url)
    move_one()
    dispatch_all()
    receiver.status = 200
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    dispatch_all()

    first, second = receiver.posts()
    assert first.body == second.body
    assert first.event_id == second.event_id


def test_a_read_timeout_is_settled_by_the_receipt_check_not_a_second_post(db, receiver, settings):
    settings.WEBHOOKS_READ_TIMEOUT = 0.3
    receiver.delay = 1.0  # answers too late: it got the event, Funnel cannot know
    WebhookEndpointFactory(url=receiver.url)
    move_one()

    dispatch_all()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending"
    assert delivery.outcome_unknown

    receiver.delay = 0
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    dispatch_all()

    delivery.refresh_from_db()
    assert delivery.status == "delivered"
    assert len(receiver.posts()) == 1  # asked, not sent again
    (check,) = receiver.checks
    assert check.event_id == str(delivery.event.uid)
    assert list(WebhookAttempt.objects.order_by("number").values_list("outcome", flat=True)) == [
        "failed",
        "confirmed",
    ]


def test_a_receiver_that_does_not_answer_receipt_checks_gets_the_event_again(
    db, receiver, settings
):
    settings.WEBHOOKS_READ_TIMEOUT = 0.3
    receiver.answers_receipt_checks = False
    receiver.delay = 1.0
    WebhookEndpointFactory(url=receiver.url)
    move_one()
    dispatch_all()

    receiver.delay = 0
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    dispatch_all()

    # At least once: the same event id twice (the documented duplicate window).
    assert WebhookDelivery.objects.get().status == "delivered"
    first, second = receiver.posts()
    assert first.event_id == second.event_id
    assert second.headers["funnel-delivery-attempt"] == "2"


def test_a_claim_left_by_a_dead_worker_is_recovered_after_its_lease(db, receiver):
    WebhookEndpointFactory(url=receiver.url)
    move_one()
    claim = delivery_claim_next()  # ...and the worker dies before sending
    assert deliveries_recover_expired() == 0  # the lease is still running

    expire_leases()
    assert deliveries_recover_expired() == 1

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.outcome_unknown) == ("pending", True)
    assert delivery.claim_token is None
    assert WebhookAttempt.objects.get(pk=claim.attempt.pk).outcome == "interrupted"

    dispatch_all()

    delivery.refresh_from_db()
    assert delivery.status == "delivered"
    assert len(receiver.checks) == 1  # it asked first: the receiver did not have it
    assert len(receiver.posts()) == 1


def test_a_worker_that_lost_its_lease_does_not_overwrite_the_new_claim(db, receiver):
    WebhookEndpointFactory(url=receiver.url)
    move_one()
    stale = delivery_claim_next()
    expire_leases()
    deliveries_recover_expired()
    fresh = delivery_claim_next()
    assert fresh.token != stale.token

    delivery_attempt(claim=stale)  # the slow worker finally sends and records

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "sending"
    assert delivery.claim_token == fresh.token
    assert WebhookAttempt.objects.get(pk=stale.attempt.pk).outcome == "succeeded"


def test_an_inactive_endpoint_keeps_its_queue_until_reactivated(db, receiver):
    endpoint = WebhookEndpointFactory(url=receiver.url)
    move_one()
    endpoint.is_active = False
    endpoint.save()

    assert dispatch_all() == 0

    endpoint.is_active = True
    endpoint.save()
    assert dispatch_all() == 1
    assert len(receiver.posts()) == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_never_hand_out_one_delivery_twice(settings):
    from django.db import connection

    WebhookEndpointFactory()
    for _ in range(40):
        move_one()
    claimed: list[int] = []
    lock = threading.Lock()

    def worker():
        try:
            while (claim := delivery_claim_next()) is not None:
                with lock:
                    claimed.append(claim.delivery.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(claimed) == len(set(claimed)) == 40
