"""Failed tries are retried on a backoff schedule, logged one by one, and dead-lettered
after the maximum number of attempts; a dead letter can be replayed."""

import pytest
from django.utils import timezone

from funnel.services import lead_transition
from funnel.stages import Cause
from integrations.webhooks.models import WebhookAttempt, WebhookDelivery
from integrations.webhooks.services import webhook_delivery_replay
from tests.factories import LeadFactory
from tests.integrations.webhook_factories import WebhookEndpointFactory, dispatch_all
from tests.integrations.webhook_receiver import Receiver


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    settings.WEBHOOKS_MAX_ATTEMPTS = 3
    settings.WEBHOOKS_BACKOFF_BASE_SECONDS = 60
    with Receiver(status=503) as running:
        yield running


def make_due():
    WebhookDelivery.objects.filter(status="pending").update(next_attempt_at=timezone.now())


def test_a_failing_receiver_is_retried_with_backoff_then_dead_lettered(db, receiver):
    WebhookEndpointFactory(url=receiver.url, events=["lead.stage_changed"])
    lead_transition(lead_id=LeadFactory().pk, to_stage="prospect", cause=Cause.MANUAL)
    (delivery,) = WebhookDelivery.objects.all()

    before = timezone.now()
    assert dispatch_all() == 1
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    assert delivery.attempts == 1
    assert delivery.last_status_code == 503
    # Not due again at once: the first retry waits up to the base delay.
    assert before <= delivery.next_attempt_at <= timezone.now() + timezone.timedelta(seconds=60)
    assert dispatch_all() == 0  # (a jittered delay under a few ms: odds of 1 in 10,000)
    assert len(receiver.posts()) == 1

    make_due()
    dispatch_all()
    make_due()
    dispatch_all()

    delivery.refresh_from_db()
    assert delivery.status == "dead"
    assert delivery.attempts == 3
    assert delivery.completed_at is not None
    make_due()
    assert dispatch_all() == 0  # a dead letter is never tried again
    assert len(receiver.posts()) == 3
    assert [r.headers["funnel-delivery-attempt"] for r in receiver.posts()] == ["1", "2", "3"]


def test_every_attempt_is_logged_with_status_excerpt_and_duration(db, receiver):
    WebhookEndpointFactory(url=receiver.url)
    lead_transition(lead_id=LeadFactory().pk, to_stage="prospect", cause=Cause.MANUAL)
    dispatch_all()
    make_due()
    dispatch_all()

    attempts = list(WebhookAttempt.objects.order_by("number"))
    assert [a.number for a in attempts] == [1, 2]
    for attempt in attempts:
        assert attempt.outcome == "failed"
        assert attempt.status_code == 503
        assert attempt.response_excerpt == '{"ok": true}'
        assert attempt.error == ""  # the status code and the excerpt tell it
        assert attempt.finished_at >= attempt.started_at
        assert attempt.duration_ms is not None


def test_an_unreachable_receiver_logs_the_connection_error(db, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    with Receiver() as closed:
        url = closed.url
    # The server is gone: nothing listens on that port any more.
    WebhookEndpointFactory(url=url)
    lead_transition(lead_id=LeadFactory().pk, to_stage="prospect", cause=Cause.MANUAL)

    dispatch_all()

    attempt = WebhookAttempt.objects.get()
    assert attempt.outcome == "failed"
    assert attempt.status_code is None
    assert "Connection refused" in attempt.error or "NewConnectionError" in attempt.error
    assert not attempt.delivery.outcome_unknown  # nothing was sent: no receipt check


def test_a_dead_letter_can_be_replayed_as_a_new_delivery_of_the_same_event(db, receiver):
    WebhookEndpointFactory(url=receiver.url)
    lead_transition(lead_id=LeadFactory().pk, to_stage="prospect", cause=Cause.MANUAL)
    for _ in range(3):
        make_due()
        dispatch_all()
    dead = WebhookDelivery.objects.get(status="dead")

    receiver.status = 200
    replay = webhook_delivery_replay(delivery=dead)
    dispatch_all()

    replay.refresh_from_db()
    dead.refresh_from_db()
    assert replay.status == "delivered"
    assert replay.replay_of == dead
    assert dead.status == "dead"  # the original keeps its log
    ids = [r.event_id for r in receiver.posts()]
    assert ids == [str(dead.event.uid)] * 4


def test_open_deliveries_cannot_be_replayed(db, receiver):
    from django.core.exceptions import ValidationError

    WebhookEndpointFactory(url=receiver.url)
    lead_transition(lead_id=LeadFactory().pk, to_stage="prospect", cause=Cause.MANUAL)
    pending = WebhookDelivery.objects.get()

    with pytest.raises(ValidationError):
        webhook_delivery_replay(delivery=pending)
    assert WebhookDelivery.objects.count() == 1
