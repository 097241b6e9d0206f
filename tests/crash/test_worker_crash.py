"""Worker crash: SIGKILL a Celery worker in the middle of a batch move, then again in the
middle of webhook deliveries (while the receiver holds a request it has already
received), restart, let the beat tasks run; every move happens exactly once and every
event reaches the receiver exactly once, counting raw requests by event id.

PostgreSQL + Redis only: real worker processes, a committed database, a real broker.
"""

import os
import signal
import time

import pytest
from django.db import connection
from django.db.models import Count

from funnel.models import StageChange
from funnel.tasks import qualify_scored_leads
from integrations.tasks import webhooks_sweep
from integrations.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEvent
from leads.models import Lead
from marketing.models import FitRule
from marketing.scoring import scoring_rules_get
from tests.celery_worker import WorkerProcess, database_url
from tests.integrations.webhook_factories import WebhookEndpointFactory
from tests.integrations.webhook_receiver import Receiver
from tests.support import redis_only

pytestmark = [redis_only, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

LEADS = 1500
WORKER_ENV = {
    # Many small batches, so a kill lands between two of them.
    "FUNNEL_BULK_MOVE_BATCH": "25",
    "WEBHOOKS_ALLOW_PRIVATE_URLS": "true",
    # Short timeouts and lease, so recovery after the kill fits the test's time.
    "WEBHOOKS_CONNECT_TIMEOUT": "1",
    "WEBHOOKS_READ_TIMEOUT": "1",
    "WEBHOOKS_LEASE_SECONDS": "6",
    "WEBHOOKS_DISPATCH_SECONDS": "20",
    # An endpoint's dispatcher slot left by a killed worker frees up within the test's
    # time (renewed every 2.5 s while in use; one try takes at most ~6 s here).
    "WEBHOOKS_DISPATCH_LEASE_SECONDS": "10",
}


def kill(worker: WorkerProcess) -> None:
    """SIGKILL the worker and its pool processes at once, as the OOM killer or a lost
    machine would: no warm shutdown, no acknowledgement, no cleanup."""
    os.killpg(worker.process.pid, signal.SIGKILL)
    worker.process.wait(timeout=10)


def wait_for(condition, *, timeout: float, what: str, poll: float = 0.005, state=None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(
                f"timed out after {timeout}s waiting for {what}" + (f": {state()}" if state else "")
            )
        time.sleep(poll)


def outbox_state(receiver: Receiver, worker: WorkerProcess) -> str:
    statuses = dict(
        WebhookDelivery.objects.values_list("status").annotate(n=Count("id")).order_by()
    )
    outcomes = dict(
        WebhookAttempt.objects.values_list("outcome").annotate(n=Count("id")).order_by()
    )
    recent = list(
        WebhookAttempt.objects.order_by("-id").values_list("started_at", "duration_ms")[:8]
    )
    errors = recent + list(
        WebhookAttempt.objects.exclude(error="")
        .order_by("-id")
        .values_list("error", "duration_ms")[:5]
    )
    return (
        f"moves={StageChange.objects.count()} deliveries={statuses} attempts={outcomes} "
        f"received={len(receiver.posts())} last errors={errors}\n{worker.tail(20)}"
    )


@pytest.fixture
def workers(tmp_path):
    started: list[WorkerProcess] = []
    url = database_url(connection.settings_dict)
    from django.conf import settings

    def start(queue: str | None = None) -> WorkerProcess:
        worker = WorkerProcess(
            database_url=url,
            broker_url=settings.CELERY_BROKER_URL,
            log_path=tmp_path / f"worker-{len(started)}.log",
            queue=queue,
            env=WORKER_ENV,
        )
        started.append(worker)
        return worker.start()

    yield start
    for worker in started:
        if worker.alive:
            worker.stop()


def test_killed_workers_lose_no_move_and_deliver_no_event_twice(workers):
    FitRule.objects.create(
        field=FitRule.Field.INDUSTRY, value="Software", points=scoring_rules_get().mql_threshold
    )
    Lead.objects.bulk_create(
        Lead(email=f"crash-{n}@example.com", industry="Software") for n in range(LEADS)
    )
    with Receiver(answers_receipt_checks=True) as receiver:
        WebhookEndpointFactory(url=receiver.url, events=["lead.stage_changed"])

        # 1. Kill a worker in the middle of the batch move.
        first = workers()
        qualify_scored_leads.apply_async(queue=first.queue)
        wait_for(
            lambda: StageChange.objects.count() >= LEADS // 10,
            timeout=60,
            what="the batch move to start",
        )
        kill(first)
        moved_before_kill = StageChange.objects.count()
        assert 0 < moved_before_kill < LEADS, "the move finished before the kill: add leads"
        # Each committed batch has its events; the killed batch left neither.
        assert WebhookEvent.objects.count() == moved_before_kill

        # 2. Restart on the same queue (as a supervisor would); kill it again while the
        #    receiver holds a request it has recorded but not answered.
        receiver.hold_at = len(receiver.posts()) + 150
        second = workers(queue=first.queue)
        qualify_scored_leads.apply_async(queue=second.queue)  # beat's next run

        def resumed() -> bool:
            # Beat's sweeps: the killed worker's dispatcher slot frees up after its lease.
            webhooks_sweep.apply_async(queue=second.queue)
            return receiver.holding.wait(timeout=2)

        wait_for(resumed, timeout=60, what="deliveries to resume", poll=0)
        kill(second)
        receiver.release.set()
        held = receiver.posts()[receiver.hold_at - 1].event_id
        assert WebhookDelivery.objects.get(event__uid=held).status == "sending"

        # 3. Restart once more and let beat's tasks run until everything is delivered.
        third = workers(queue=first.queue)

        def settled() -> bool:
            qualify_scored_leads.apply_async(queue=third.queue)
            webhooks_sweep.apply_async(queue=third.queue)
            return (
                StageChange.objects.count() == LEADS
                and not WebhookDelivery.objects.exclude(status="delivered").exists()
                and WebhookDelivery.objects.count() == LEADS
            )

        # One dispatcher per endpoint: the backlog goes out one delivery at a time.
        wait_for(
            settled,
            timeout=180,
            what="every move and delivery",
            poll=1.0,
            state=lambda: outbox_state(receiver, third),
        )
        third.stop()

        # Every move happened exactly once.
        per_lead = StageChange.objects.values("lead_id").annotate(n=Count("id"))
        assert per_lead.count() == LEADS
        assert {row["n"] for row in per_lead} == {1}
        assert set(Lead.objects.values_list("stage", flat=True)) == {"prospect"}
        # One event per move, and the receiver got each exactly once (raw requests).
        events = set(WebhookEvent.objects.values_list("uid", flat=True))
        assert len(events) == LEADS
        assert set(WebhookEvent.objects.values_list("data__stage_change_id", flat=True)) == set(
            StageChange.objects.values_list("id", flat=True)
        )
        received = receiver.counts_by_event_id()
        assert set(received) == {str(uid) for uid in events}
        duplicates = {event_id: n for event_id, n in received.items() if n > 1}
        assert duplicates == {}
        # The held request is the in-doubt case: its attempt was interrupted, and the
        # receipt check settled it without a second POST.
        outcomes = list(
            WebhookAttempt.objects.filter(delivery__event__uid=held)
            .order_by("number")
            .values_list("outcome", flat=True)
        )
        assert outcomes == ["interrupted", "confirmed"]
        assert held in {check.event_id for check in receiver.checks}
