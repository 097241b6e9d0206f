"""Webhooks: endpoints managers register, the outbox of events, and their deliveries.

An event is written to the outbox (`WebhookEvent`, one `WebhookDelivery` per subscribed
endpoint) in the same transaction as the change it reports, so a rolled-back change
leaves no event and a committed one cannot lose it. Celery delivers from the outbox
(integrations.webhooks.delivery), one dispatcher per endpoint at a time
(integrations.webhooks.dispatch); every try is a `WebhookAttempt`.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from integrations.webhooks.signing import secret_new

__all__ = [
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
    "WebhookEventType",
]


def new_webhook_secret() -> str:
    # Named in migration 0002 as the field's default: keep the name.
    return secret_new()


class WebhookEventType(models.TextChoices):
    LEAD_CREATED = "lead.created", "Lead created"
    LEAD_STAGE_CHANGED = "lead.stage_changed", "Lead stage changed"
    DEAL_WON = "deal.won", "Deal won"
    DEAL_LOST = "deal.lost", "Deal lost"
    DEAL_STAGE_CHANGED = "deal.stage_changed", "Deal stage changed"
    # "Send test event" on the endpoint page: to that endpoint only, never subscribed to.
    TEST = "webhook.test", "Test event"

    @classmethod
    def subscribable(cls) -> list[tuple[str, str]]:
        return [(value, label) for value, label in cls.choices if value != cls.TEST]


class WebhookEndpoint(models.Model):
    url = models.URLField("URL", max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    # The HMAC key. Kept in clear because signing needs it; only managers ever see it.
    secret = models.CharField(max_length=100, default=new_webhook_secret, editable=False)
    # After a roll the old secret keeps signing (a second v1,...) until this time, so
    # receivers can switch without dropping deliveries.
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Event types (WebhookEventType values) this endpoint receives.
    events = models.JSONField(default=list)
    is_active = models.BooleanField("active", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # The endpoint's dispatcher slot (integrations.webhooks.dispatch): at most one dispatch
    # task is queued or running per endpoint. Taken by a compare-and-set UPDATE while
    # free (null or past); a token set means a dispatcher holds it, a future time with no
    # token means the endpoint is paused after its receiver failed.
    dispatch_token = models.UUIDField(null=True, blank=True, editable=False)
    dispatch_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "webhook endpoint"

    def __str__(self) -> str:
        return self.url

    def signing_secrets(self, *, now=None) -> list[str]:
        now = now or timezone.now()
        current = [self.secret]
        if (
            self.previous_secret
            and self.previous_secret_expires_at
            and (self.previous_secret_expires_at > now)
        ):
            current.append(self.previous_secret)
        return current


class WebhookEvent(models.Model):
    """One thing that happened, as receivers see it. Immutable once written."""

    # Public id (the body's "id" and the webhook-id header): receivers key on it.
    uid = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    type = models.CharField(max_length=40, choices=WebhookEventType.choices)
    occurred_at = models.DateTimeField()
    # The lead the event is about: deliveries to one endpoint keep per-lead order. A plain
    # column, not a foreign key: events outlive the lead (an erased lead's last events
    # still go out, and the log keeps them).
    lead_id = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.type} {self.uid}"


class WebhookDelivery(models.Model):
    """One event to one endpoint: the unit that is claimed, sent, retried, dead-lettered."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        DELIVERED = "delivered", "Delivered"
        DEAD = "dead", "Dead-lettered"

    OPEN_STATUSES = (Status.PENDING, Status.SENDING)

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    # Per-lead order (per endpoint): deliveries with the same ordering key (event.lead_id)
    # go one at a time, oldest first. Only the oldest open one is the head, which the
    # dispatcher may claim; closing it (delivered or dead) makes the next one head. Kept
    # as a column so claiming is one index walk, never a search for earlier deliveries.
    ordering_key = models.BigIntegerField(null=True, blank=True)
    is_head = models.BooleanField(default=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A claim: who holds it (fencing token) and until when. A worker that dies leaves
    # both behind; the sweep takes the delivery back once the lease has expired.
    claim_token = models.UUIDField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # The last try may have reached the receiver (worker died mid-request, or the read
    # timed out): the next try first asks the receiver whether it has the event.
    outcome_unknown = models.BooleanField(default=False)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    replay_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replays"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sending", "delivered", "dead"]),
                name="webhookdelivery_status_is_known",
            ),
            # A replay cannot queue an event twice for the same endpoint.
            models.UniqueConstraint(
                fields=["event", "endpoint"],
                condition=Q(status__in=["pending", "sending"]),
                name="webhookdelivery_one_open_per_event",
            ),
        ]
        indexes = [
            # The dispatcher's claim: due heads, oldest due first.
            models.Index(
                fields=["next_attempt_at", "id"],
                name="webhookdelivery_due_idx",
                condition=Q(status="pending", is_head=True),
            ),
            # The same, for one endpoint's dispatcher (and the sweep's "anything due?").
            models.Index(
                fields=["endpoint", "next_attempt_at", "id"],
                name="webhookdelivery_ep_due_idx",
                condition=Q(status="pending", is_head=True),
            ),
            # Per-lead order: the open deliveries of a lead (to an endpoint), oldest first.
            models.Index(
                fields=["ordering_key", "endpoint", "id"],
                name="webhookdelivery_order_idx",
                condition=Q(status__in=["pending", "sending"]),
            ),
            # The sweep's scan for claims whose worker died.
            models.Index(
                fields=["lease_expires_at"],
                name="webhookdelivery_lease_idx",
                condition=Q(status="sending"),
            ),
            # The delivery log of one endpoint, newest first.
            models.Index(fields=["endpoint", "-id"], name="webhookdelivery_log_idx"),
        ]

    def __str__(self) -> str:
        return f"delivery {self.pk} ({self.status})"

    @property
    def can_replay(self) -> bool:
        return self.status in (self.Status.DELIVERED, self.Status.DEAD)


class WebhookAttempt(models.Model):
    """One HTTP try of a delivery: the log a manager reads when a receiver misbehaves."""

    class Outcome(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        # The worker stopped mid-try; whether the receiver got the request is unknown.
        INTERRUPTED = "interrupted", "Interrupted"
        # The receiver confirmed (receipt check) that it already had the event.
        CONFIRMED = "confirmed", "Already received"

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveIntegerField()
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.IN_PROGRESS)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["delivery", "-id"], name="webhookattempt_delivery_idx")]

    def __str__(self) -> str:
        return f"attempt {self.number} of delivery {self.delivery_id}: {self.outcome}"
