"""Webhook writes that managers make: endpoints (create, change, roll the secret,
delete), replays and test events. Events themselves are written by the outbox
(integrations.webhooks.outbox).
"""

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from integrations.webhooks.models import (
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    WebhookEventType,
    new_webhook_secret,
)
from integrations.webhooks.outbox import dispatch_on_commit, lead_busy_endpoints_lock
from integrations.webhooks.url_safety import UnsafeWebhookURL, webhook_url_resolve

SECRET_ROLL_GRACE = timedelta(hours=24)
ENDPOINT_FIELDS = frozenset({"url", "description", "events", "is_active"})


# --- Endpoints ---------------------------------------------------------------------------


def webhook_endpoint_create(
    *,
    url: str,
    events: Iterable[str],
    description: str = "",
    is_active: bool = True,
    created_by: AbstractBaseUser | None = None,
) -> WebhookEndpoint:
    """Register an endpoint with a new secret. Raises ValidationError (on `url` for a URL
    Funnel refuses to call, on `events` for unknown or no event types)."""
    endpoint = WebhookEndpoint(
        url=_url_clean(url),
        events=_events_clean(events),
        description=description,
        is_active=is_active,
        created_by=created_by if created_by is not None and created_by.pk else None,
    )
    endpoint.full_clean()
    endpoint.save()
    return endpoint


def webhook_endpoint_update(
    *, endpoint: WebhookEndpoint, data: Mapping[str, Any]
) -> WebhookEndpoint:
    """Change url, description, events or is_active; saves only what changed."""
    unknown = set(data) - ENDPOINT_FIELDS
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}")
    changes = dict(data)
    if "url" in changes and changes["url"] != endpoint.url:
        changes["url"] = _url_clean(changes["url"])
    if "events" in changes:
        changes["events"] = _events_clean(changes["events"])
    changed = [name for name, value in changes.items() if getattr(endpoint, name) != value]
    if not changed:
        return endpoint
    for name in changed:
        setattr(endpoint, name, changes[name])
    endpoint.full_clean()
    endpoint.save(update_fields=[*changed, "updated_at"])
    return endpoint


def webhook_endpoint_roll_secret(
    *, endpoint: WebhookEndpoint, grace: timedelta = SECRET_ROLL_GRACE
) -> WebhookEndpoint:
    """Give the endpoint a new secret. The old one keeps signing (a second v1,...) for
    `grace`, so the receiver can switch without failing deliveries in between."""
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = timezone.now() + grace
    endpoint.secret = new_webhook_secret()
    endpoint.save(
        update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"]
    )
    return endpoint


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Delete an endpoint with its delivery log; undelivered events to it are dropped."""
    endpoint.delete()


def _url_clean(url: Any) -> str:
    try:
        webhook_url_resolve(url)
    except UnsafeWebhookURL as exc:
        raise ValidationError({"url": exc.messages}) from None
    return url


def _events_clean(events: Any) -> list[str]:
    if isinstance(events, str) or not isinstance(events, Iterable):
        raise ValidationError({"events": ["Give a list of event types."]})
    values = list(events)
    known = {value for value, _ in WebhookEventType.subscribable()}
    unknown = [value for value in values if value not in known]
    if unknown:
        raise ValidationError(
            {"events": [f"Unknown event type(s): {', '.join(map(str, unknown))[:200]}."]}
        )
    if not values:
        raise ValidationError({"events": ["Choose at least one event type."]})
    return sorted(set(values))


# --- Replays -----------------------------------------------------------------------------


def webhook_delivery_replay(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Queue a delivered or dead-lettered event again for the same endpoint, as a new
    delivery (the original and its attempt log stay as they were). It goes out after
    anything still open for the same lead. Raises ValidationError otherwise."""
    if not delivery.can_replay:
        raise ValidationError("Only delivered or dead-lettered deliveries can be replayed.")
    try:
        with transaction.atomic():
            busy = lead_busy_endpoints_lock(
                lead_id=delivery.ordering_key, endpoint_ids=[delivery.endpoint_id]
            )
            replay = WebhookDelivery.objects.create(
                event_id=delivery.event_id,
                endpoint_id=delivery.endpoint_id,
                ordering_key=delivery.ordering_key,
                is_head=not busy,
                replay_of=delivery,
            )
    except IntegrityError:
        raise ValidationError("This event is already queued for this endpoint.") from None
    dispatch_on_commit([delivery.endpoint_id])
    return replay


def webhook_endpoint_send_test(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Queue a `webhook.test` event for this endpoint only (whatever it subscribes to),
    through the outbox like any event: signed, retried, logged. Raises ValidationError
    for an inactive endpoint (it would wait until reactivated)."""
    if not endpoint.is_active:
        raise ValidationError("Activate the endpoint before sending it a test event.")
    now = timezone.now()
    with transaction.atomic():
        event = WebhookEvent.objects.create(
            type=WebhookEventType.TEST,
            occurred_at=now,
            data={
                "endpoint_id": endpoint.pk,
                "message": "A test event sent from Funnel's endpoint page.",
            },
        )
        delivery = WebhookDelivery.objects.create(
            event=event, endpoint=endpoint, next_attempt_at=now
        )
    dispatch_on_commit([endpoint.pk])
    return delivery
