"""Delivering the outbox: claim, send, record; recover what dead workers left behind.

A worker claims one delivery at a time with a compare-and-set UPDATE (after SELECT ...
FOR UPDATE SKIP LOCKED on PostgreSQL), which sets a fencing token and a lease and logs
the attempt's start, all committed before any byte goes out. The result is recorded only
if the token still matches, so a worker that lost its lease cannot overwrite a newer
claim. A delivery is due when it is pending, its time has come, its endpoint is active
and it is the head of its lead's deliveries to that endpoint (per-lead order, see
integrations.webhooks.ordering).

The sweep (a beat task) turns expired leases back into pending deliveries marked
"outcome unknown", as does a try whose answer never came (read timeout, reset). Before
sending again, the next attempt asks the receiver whether it already has the event (the
receipt check, docs/webhooks.md). The mark stays until a receipt check is answered: a try
whose check gets no answer (the receiver is down) sends nothing, so a receiver that
answers receipt checks never sees an event twice, whatever the order of timeouts,
outages and crashes.
"""

import json
import logging
import random
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from integrations.webhooks.http import HttpResult, NotSent, OutcomeUnknown, http_send
from integrations.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from integrations.webhooks.ordering import next_head_promote
from integrations.webhooks.signing import (
    ATTEMPT_HEADER,
    EVENT_TYPE_HEADER,
    RECEIVED_HEADER,
    signed_headers,
)
from integrations.webhooks.url_safety import UnsafeWebhookURL, webhook_url_resolve

logger = logging.getLogger(__name__)
Status = WebhookDelivery.Status
Outcome = WebhookAttempt.Outcome
# How long a dispatcher trusts its list of active endpoints (deactivation takes effect
# within this many seconds).
ACTIVE_ENDPOINTS_TTL = 2.0
INTERRUPTED_ERROR = (
    "The worker stopped before the result was recorded; the receiver may or may not have "
    "the request."
)


@dataclass(frozen=True)
class Claim:
    delivery: WebhookDelivery
    attempt: WebhookAttempt
    token: uuid.UUID


@dataclass(frozen=True)
class AttemptResult:
    outcome: str
    status_code: int | None = None

    @property
    def receiver_failing(self) -> bool:
        """No answer, or an answer saying the receiver is down or overloaded: further
        tries to the same endpoint right now would most likely fail too."""
        if self.outcome in (Outcome.SUCCEEDED, Outcome.CONFIRMED):
            return False
        return self.status_code is None or self.status_code >= 500 or self.status_code == 429


def backoff_seconds(*, attempts: int, rng: random.Random | None = None) -> float:
    """Delay before the next try after `attempts` failed ones: exponential with full
    jitter, uniform in [0, min(cap, base * 2^(attempts-1))], so receivers coming back
    from an outage are not hit by every retry at once."""
    base = settings.WEBHOOKS_BACKOFF_BASE_SECONDS
    cap = settings.WEBHOOKS_BACKOFF_CAP_SECONDS
    ceiling = min(cap, base * 2 ** min(max(attempts, 1) - 1, 62))
    return (rng or random).uniform(0, ceiling)


def deliveries_due(
    *, now=None, active_endpoint_ids: list[int] | None = None
) -> QuerySet[WebhookDelivery]:
    """Due heads, oldest due first: one walk of a partial index, whatever the backlog
    (no subquery, so no plan that depends on fresh table statistics)."""
    if active_endpoint_ids is None:
        active_endpoint_ids = endpoints_active_ids()
    return WebhookDelivery.objects.filter(
        status=Status.PENDING,
        is_head=True,
        next_attempt_at__lte=now or timezone.now(),
        endpoint_id__in=active_endpoint_ids,
    ).order_by("next_attempt_at", "id")


def endpoints_active_ids() -> list[int]:
    return list(WebhookEndpoint.objects.filter(is_active=True).values_list("pk", flat=True))


def delivery_claim_next(*, active_endpoint_ids: list[int] | None = None) -> Claim | None:
    """Claim the oldest due delivery (of the given endpoints, default every active one),
    or None if nothing is due."""
    for _ in range(10):
        now = timezone.now()
        with transaction.atomic():
            delivery = (
                deliveries_due(now=now, active_endpoint_ids=active_endpoint_ids)
                .select_related("event", "endpoint")
                .select_for_update(skip_locked=True, of=("self",))
                .first()
            )
            if delivery is None:
                return None
            token = uuid.uuid4()
            lease_expires_at = now + timedelta(seconds=settings.WEBHOOKS_LEASE_SECONDS)
            claimed = WebhookDelivery.objects.filter(pk=delivery.pk, status=Status.PENDING).update(
                status=Status.SENDING,
                attempts=F("attempts") + 1,
                claim_token=token,
                lease_expires_at=lease_expires_at,
            )
            if not claimed:
                continue  # another worker took it between our read and our write
            delivery.status, delivery.attempts = Status.SENDING, delivery.attempts + 1
            delivery.claim_token, delivery.lease_expires_at = token, lease_expires_at
            attempt = WebhookAttempt.objects.create(
                delivery=delivery, number=delivery.attempts, started_at=now
            )
        return Claim(delivery=delivery, attempt=attempt, token=token)
    return None


def delivery_attempt(*, claim: Claim) -> AttemptResult:
    """Make one try of a claimed delivery and record it."""
    delivery = claim.delivery
    started = time.monotonic()
    try:
        target = webhook_url_resolve(delivery.endpoint.url)
    except UnsafeWebhookURL as exc:
        # Checked again on every try: the name may point somewhere else since it was
        # registered (DNS rebinding). Nothing was sent.
        return _attempt_finish(
            claim, outcome=Outcome.FAILED, error=" ".join(exc.messages), started=started
        )
    body = event_body(delivery.event)
    secrets = delivery.endpoint.signing_secrets()
    timeouts = {
        "connect_timeout": settings.WEBHOOKS_CONNECT_TIMEOUT,
        "read_timeout": settings.WEBHOOKS_READ_TIMEOUT,
    }
    event_id = str(delivery.event.uid)
    if delivery.outcome_unknown:
        try:
            check = http_send(
                target=target,
                method="HEAD",
                headers=signed_headers(secrets=secrets, msg_id=event_id, body=b""),
                body=None,
                **timeouts,
            )
        except (NotSent, OutcomeUnknown) as exc:
            # No answer: the receiver may still have the earlier request, so sending now
            # could deliver the event twice. Stay unknown and ask again next time.
            return _attempt_finish(
                claim, outcome=Outcome.FAILED, error=f"Receipt check: {exc}", started=started
            )
        if _confirms_receipt(check, event_id):
            return _attempt_finish(
                claim, outcome=Outcome.CONFIRMED, status_code=check.status, started=started
            )
        # Answered without the receipt: the receiver does not have the event. From here
        # on the outcome is known again (this POST's own fate decides it).
    headers = {
        "Content-Type": "application/json",
        **signed_headers(secrets=secrets, msg_id=event_id, body=body),
        EVENT_TYPE_HEADER: delivery.event.type,
        ATTEMPT_HEADER: str(delivery.attempts),
    }
    try:
        result = http_send(target=target, method="POST", headers=headers, body=body, **timeouts)
    except NotSent as exc:
        return _attempt_finish(
            claim, outcome=Outcome.FAILED, error=str(exc), unknown=False, started=started
        )
    except OutcomeUnknown as exc:
        return _attempt_finish(
            claim, outcome=Outcome.FAILED, error=str(exc), unknown=True, started=started
        )
    succeeded = 200 <= result.status < 300
    return _attempt_finish(
        claim,
        outcome=Outcome.SUCCEEDED if succeeded else Outcome.FAILED,
        status_code=result.status,
        excerpt=result.excerpt,
        unknown=False,
        # A refusal is told by its status code (and the excerpt); error is for failures
        # without an answer.
        started=started,
    )


def event_body(event) -> bytes:
    """The request body: the same bytes on every try (keys sorted, no whitespace). The
    Standard Webhooks payload shape (`type`, `timestamp` of the event, `data`) plus the
    event's `id` (also the webhook-id header)."""
    payload = {
        "id": str(event.uid),
        "type": event.type,
        "timestamp": event.occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "data": event.data,
    }
    return json.dumps(
        payload, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


def deliveries_dispatch(*, budget_seconds: float) -> tuple[int, bool]:
    """Claim and send due deliveries until none is left or the budget is spent.
    Returns (attempts made, whether work may remain)."""
    deadline = time.monotonic() + budget_seconds
    made = 0
    active, active_read_at = [], float("-inf")
    while time.monotonic() < deadline:
        # Re-read which endpoints are active every few seconds, not once per delivery.
        if time.monotonic() - active_read_at > ACTIVE_ENDPOINTS_TTL:
            active, active_read_at = endpoints_active_ids(), time.monotonic()
        claim = delivery_claim_next(active_endpoint_ids=active)
        if claim is None:
            return made, False
        delivery_attempt(claim=claim)
        made += 1
    return made, True


def deliveries_recover_expired(*, limit: int = 1000) -> int:
    """Give back deliveries whose claim outlived its lease (the worker died or hung):
    pending again, due now, outcome unknown; at the attempt limit, dead-lettered."""
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            WebhookDelivery.objects.filter(status=Status.SENDING, lease_expires_at__lt=now)
            .order_by("lease_expires_at")
            .select_for_update(skip_locked=True)
            .values_list("pk", "attempts", "endpoint_id", "ordering_key")[:limit]
        )
        if not rows:
            return 0
        ids = [row[0] for row in rows]
        WebhookAttempt.objects.filter(delivery_id__in=ids, outcome=Outcome.IN_PROGRESS).update(
            outcome=Outcome.INTERRUPTED, finished_at=now, error=INTERRUPTED_ERROR
        )
        expired = WebhookDelivery.objects.filter(pk__in=ids, status=Status.SENDING)
        released = {
            "claim_token": None,
            "lease_expires_at": None,
            "outcome_unknown": True,
            "last_status_code": None,
            "last_error": INTERRUPTED_ERROR,
        }
        expired.filter(attempts__gte=settings.WEBHOOKS_MAX_ATTEMPTS).update(
            status=Status.DEAD, completed_at=now, **released
        )
        expired.filter(attempts__lt=settings.WEBHOOKS_MAX_ATTEMPTS).update(
            status=Status.PENDING, next_attempt_at=now, **released
        )
        for _, attempts, endpoint_id, ordering_key in rows:
            if attempts >= settings.WEBHOOKS_MAX_ATTEMPTS:
                next_head_promote(endpoint_id=endpoint_id, ordering_key=ordering_key)
    logger.warning("Recovered %d webhook deliveries whose worker stopped.", len(ids))
    return len(ids)


def _confirms_receipt(check: HttpResult, event_id: str) -> bool:
    return 200 <= check.status < 300 and (
        check.headers.get(RECEIVED_HEADER.lower(), "").strip().lower() == event_id
    )


def _attempt_finish(
    claim: Claim,
    *,
    outcome: str,
    started: float,
    status_code: int | None = None,
    excerpt: str = "",
    error: str = "",
    unknown: bool | None = None,
) -> AttemptResult:
    """Record a try. `unknown` says whether the receiver may now have the event without
    Funnel knowing; None keeps what it was (a try that reached no receiver, and whose
    receipt check was not answered, learnt nothing)."""
    now = timezone.now()
    delivery = claim.delivery
    error = error[:500]
    state: dict = {
        "claim_token": None,
        "lease_expires_at": None,
        "last_status_code": status_code,
        "last_error": error,
        "outcome_unknown": delivery.outcome_unknown if unknown is None else unknown,
    }
    if outcome in (Outcome.SUCCEEDED, Outcome.CONFIRMED):
        state.update(status=Status.DELIVERED, completed_at=now, outcome_unknown=False)
    elif delivery.attempts >= settings.WEBHOOKS_MAX_ATTEMPTS:
        state.update(status=Status.DEAD, completed_at=now)
    else:
        delay = backoff_seconds(attempts=delivery.attempts)
        state.update(status=Status.PENDING, next_attempt_at=now + timedelta(seconds=delay))
    with transaction.atomic():
        WebhookAttempt.objects.filter(pk=claim.attempt.pk).update(
            outcome=outcome,
            finished_at=now,
            duration_ms=int((time.monotonic() - started) * 1000),
            status_code=status_code,
            response_excerpt=excerpt[:1000],
            error=error,
        )
        kept = WebhookDelivery.objects.filter(
            pk=delivery.pk, status=Status.SENDING, claim_token=claim.token
        ).update(**state)
        if kept and state["status"] != Status.PENDING:
            # Closed: the next delivery about the same lead may go.
            next_head_promote(endpoint_id=delivery.endpoint_id, ordering_key=delivery.ordering_key)
    if not kept:
        logger.warning(
            "Webhook delivery %s: lease lost before the result was recorded.", delivery.pk
        )
    return AttemptResult(outcome=outcome, status_code=status_code)
