"""One dispatcher per endpoint: who sends an endpoint's deliveries, and when.

Each endpoint has a dispatcher slot (`WebhookEndpoint.dispatch_token`/`dispatch_until`).
Whoever wants its deliveries sent (an outbox write on commit, a replay, the sweep) takes
the slot with a compare-and-set UPDATE and, only if it got it, publishes one dispatch
task carrying the slot's token. While the slot is held nobody publishes another, so a
burst of N events queues one task per endpoint, not N. The slot expires
(`WEBHOOKS_DISPATCH_LEASE_SECONDS`; a running dispatcher renews it every quarter of that,
so it must exceed a quarter plus one worst-case attempt, and covers the task's wait in
the queue): a task lost with a killed worker only delays the endpoint until the sweep
takes the slot again, and a task whose token is no longer the slot's does nothing.

A run is time-boxed: it sends for at most `WEBHOOKS_DISPATCH_SECONDS` or
`WEBHOOKS_DISPATCH_MAX_DELIVERIES` deliveries, then hands over to a fresh task (the worker
serves other queues' tasks in between). A failing receiver (no answer, 5xx, 429) ends the
run and pauses the endpoint for `WEBHOOKS_ENDPOINT_PAUSE_SECONDS`: nothing sleeps in a
task, so a dead receiver costs at most one attempt's timeouts per pause, and its
backlog waits in the database, not in the broker.

Releasing the slot when nothing is due re-checks afterwards: an event committed just
before the release found the slot taken and published nothing, so the releaser takes the
slot back for it (either it sees the event, or the event's writer sees the free slot).
"""

import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from integrations.webhooks.delivery import delivery_attempt, delivery_claim_next
from integrations.webhooks.models import WebhookDelivery, WebhookEndpoint

Status = WebhookDelivery.Status


@dataclass(frozen=True)
class DispatchRun:
    made: int
    # The token the next task must carry, if the endpoint needs one (handed over after the
    # time box, or taken back after a late event); None when idle, paused or superseded.
    next_token: uuid.UUID | None


def dispatch_slot_take(*, endpoint_id: int, now: datetime | None = None) -> uuid.UUID | None:
    """Take the endpoint's dispatcher slot if it is free. The caller that gets a token
    publishes exactly one dispatch task with it."""
    now = now or timezone.now()
    token = uuid.uuid4()
    taken = (
        WebhookEndpoint.objects.filter(pk=endpoint_id, is_active=True)
        .filter(Q(dispatch_until__isnull=True) | Q(dispatch_until__lte=now))
        .update(dispatch_token=token, dispatch_until=now + _lease())
    )
    return token if taken else None


def dispatch_slot_extend(*, endpoint_id: int, token: uuid.UUID) -> bool:
    """Renew the holder's slot; False if it is no longer the holder (its lease ran out and
    someone else took the slot): it must stop."""
    return bool(
        WebhookEndpoint.objects.filter(pk=endpoint_id, dispatch_token=token, is_active=True).update(
            dispatch_until=timezone.now() + _lease()
        )
    )


def dispatch_slot_release(
    *, endpoint_id: int, token: uuid.UUID, paused_until: datetime | None = None
) -> bool:
    return bool(
        WebhookEndpoint.objects.filter(pk=endpoint_id, dispatch_token=token).update(
            dispatch_token=None, dispatch_until=paused_until
        )
    )


def endpoint_has_due(*, endpoint_id: int, now: datetime | None = None) -> bool:
    return WebhookDelivery.objects.filter(
        endpoint_id=endpoint_id,
        status=Status.PENDING,
        is_head=True,
        next_attempt_at__lte=now or timezone.now(),
    ).exists()


def endpoint_deliveries_dispatch(
    *,
    endpoint_id: int,
    token: uuid.UUID,
    budget_seconds: float | None = None,
    max_deliveries: int | None = None,
) -> DispatchRun:
    """Send one endpoint's due deliveries, oldest due first, as the holder of its slot."""
    budget = settings.WEBHOOKS_DISPATCH_SECONDS if budget_seconds is None else budget_seconds
    limit = settings.WEBHOOKS_DISPATCH_MAX_DELIVERIES if max_deliveries is None else max_deliveries
    deadline = time.monotonic() + budget
    # Renew the slot at the start and then whenever a quarter of its lease has passed,
    # not before every delivery (one UPDATE fewer per delivery on a busy endpoint).
    renew_every = settings.WEBHOOKS_DISPATCH_LEASE_SECONDS / 4
    renewed_at = float("-inf")
    made = 0
    while True:
        if time.monotonic() - renewed_at >= renew_every:
            if not dispatch_slot_extend(endpoint_id=endpoint_id, token=token):
                return DispatchRun(made=made, next_token=None)
            renewed_at = time.monotonic()
        if made >= limit or time.monotonic() >= deadline:
            return DispatchRun(made=made, next_token=token)  # hand over, slot kept
        claim = delivery_claim_next(active_endpoint_ids=[endpoint_id])
        if claim is None:
            dispatch_slot_release(endpoint_id=endpoint_id, token=token)
            if endpoint_has_due(endpoint_id=endpoint_id):
                return DispatchRun(
                    made=made, next_token=dispatch_slot_take(endpoint_id=endpoint_id)
                )
            return DispatchRun(made=made, next_token=None)
        result = delivery_attempt(claim=claim)
        made += 1
        if result.receiver_failing:
            pause = timedelta(seconds=settings.WEBHOOKS_ENDPOINT_PAUSE_SECONDS)
            dispatch_slot_release(
                endpoint_id=endpoint_id, token=token, paused_until=timezone.now() + pause
            )
            return DispatchRun(made=made, next_token=None)


def dispatchers_start(*, endpoint_ids: list[int] | None = None) -> list[tuple[int, uuid.UUID]]:
    """Take the free slots of the given endpoints (default: every active one) that have
    deliveries due now. Returns (endpoint id, token) pairs, one task to publish each."""
    now = timezone.now()
    free = WebhookEndpoint.objects.filter(is_active=True).filter(
        Q(dispatch_until__isnull=True) | Q(dispatch_until__lte=now)
    )
    if endpoint_ids is not None:
        free = free.filter(pk__in=endpoint_ids)
    started = []
    # Endpoints are few (a handful per installation): one indexed EXISTS each.
    for endpoint_id in free.order_by("pk").values_list("pk", flat=True):
        if endpoint_has_due(endpoint_id=endpoint_id, now=now):
            token = dispatch_slot_take(endpoint_id=endpoint_id, now=now)
            if token is not None:
                started.append((endpoint_id, token))
    return started


def _lease() -> timedelta:
    return timedelta(seconds=settings.WEBHOOKS_DISPATCH_LEASE_SECONDS)
