"""One dispatcher per endpoint: how many dispatch tasks are published for a burst of
events, sweeps, hand-overs and a dead receiver. Publishing is recorded at the broker
boundary (the task's apply_async); everything else runs for real."""

import socket
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from integrations import tasks
from integrations.webhooks.dispatch import dispatch_slot_take
from integrations.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from integrations.webhooks.outbox import event_record
from tests.factories import LeadFactory
from tests.integrations.webhook_factories import WebhookEndpointFactory
from tests.integrations.webhook_receiver import Receiver


@pytest.fixture
def published(monkeypatch):
    """Dispatch tasks published to the broker, as (endpoint_id, token) pairs."""
    sent: list[tuple] = []
    task_class = type(tasks.webhooks_dispatch._get_current_object())
    monkeypatch.setattr(
        task_class, "apply_async", lambda self, args=(), kwargs=None, **options: sent.append(args)
    )
    return sent


@pytest.fixture
def allow_local(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True


def record_events(count, django_capture_on_commit_callbacks):
    """`count` events, each in its own committed transaction (on-commit work runs)."""
    for lead in LeadFactory.create_batch(count):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            event_record(event_type="lead.created", data={"n": lead.pk}, lead_id=lead.pk)


def run_task(endpoint_id, token) -> int:
    return tasks.webhooks_dispatch.run(endpoint_id, str(token))


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_burst_of_events_publishes_one_task_per_endpoint(
    db, published, django_capture_on_commit_callbacks
):
    first, second = WebhookEndpointFactory(), WebhookEndpointFactory()

    record_events(30, django_capture_on_commit_callbacks)

    assert WebhookDelivery.objects.count() == 60
    assert sorted(endpoint_id for endpoint_id, _ in published) == [first.pk, second.pk]
    for endpoint_id, token in published:
        assert str(WebhookEndpoint.objects.get(pk=endpoint_id).dispatch_token) == token


def test_a_dispatcher_sends_the_backlog_then_frees_the_slot(
    db, allow_local, published, django_capture_on_commit_callbacks
):
    with Receiver() as receiver:
        endpoint = WebhookEndpointFactory(url=receiver.url)
        record_events(5, django_capture_on_commit_callbacks)
        ((endpoint_id, token),) = published

        assert run_task(endpoint_id, token) == 5

        assert len(receiver.posts()) == 5
        endpoint.refresh_from_db()
        assert (endpoint.dispatch_token, endpoint.dispatch_until) == (None, None)
        record_events(1, django_capture_on_commit_callbacks)
        assert len(published) == 2  # the slot was free: the next event starts a dispatcher


def test_a_task_whose_token_is_not_the_slots_does_nothing(db, allow_local, published):
    with Receiver() as receiver:
        endpoint = WebhookEndpointFactory(url=receiver.url)
        event_record(event_type="lead.created", data={}, lead_id=None)
        dispatch_slot_take(endpoint_id=endpoint.pk)

        assert run_task(endpoint.pk, "00000000-0000-4000-8000-000000000000") == 0

        assert receiver.posts() == []
        assert WebhookDelivery.objects.get().status == "pending"


def test_a_run_is_time_boxed_and_hands_over_to_one_fresh_task(db, allow_local, published, settings):
    settings.WEBHOOKS_DISPATCH_MAX_DELIVERIES = 3
    with Receiver() as receiver:
        endpoint = WebhookEndpointFactory(url=receiver.url)
        for _ in range(5):
            event_record(event_type="lead.created", data={}, lead_id=None)
        token = dispatch_slot_take(endpoint_id=endpoint.pk)

        assert run_task(endpoint.pk, token) == 3
        assert published == [(endpoint.pk, str(token))]  # same slot, back of the queue

        assert run_task(endpoint.pk, token) == 2
        assert len(published) == 1
        assert len(receiver.posts()) == 5


def test_repeated_sweeps_publish_at_most_one_task_per_endpoint(db, published):
    endpoint = WebhookEndpointFactory()
    WebhookEndpointFactory()  # nothing due for this one
    for _ in range(3):
        event_record(event_type="deal.won", data={}, lead_id=None)
    WebhookDelivery.objects.exclude(endpoint=endpoint).delete()

    for _ in range(4):
        tasks.webhooks_sweep.run()

    assert [endpoint_id for endpoint_id, _ in published] == [endpoint.pk]


def test_a_dead_receiver_costs_one_attempt_then_its_endpoint_rests(
    db, allow_local, published, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ENDPOINT_PAUSE_SECONDS = 15
    endpoint = WebhookEndpointFactory(url=f"http://127.0.0.1:{closed_port()}/hook")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        record_events(10, django_capture_on_commit_callbacks)
        ((_, token),) = published

        assert run_task(endpoint.pk, token) == 1  # refused: the run stops there

        endpoint.refresh_from_db()
        assert endpoint.dispatch_token is None
        assert endpoint.dispatch_until == start + timedelta(seconds=15)
        record_events(5, django_capture_on_commit_callbacks)
        tasks.webhooks_sweep.run()
        assert len(published) == 1  # resting: neither new events nor the sweep start it
    with time_machine.travel(start + timedelta(seconds=16), tick=False):
        tasks.webhooks_sweep.run()
    assert len(published) == 2
    assert WebhookAttempt.objects.count() == 1
