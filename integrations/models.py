"""The `integrations` app's models. Each capability keeps its models in its own package
(`integrations/api_keys/models.py`, `integrations/webhooks/models.py`); they are imported
here so Django finds them in this app, with their tables and migrations unchanged."""

from django.db import models
from django.utils import timezone

from integrations.api_keys.models import ApiKey
from integrations.webhooks.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    WebhookEventType,
)

__all__ = [
    "ApiKey",
    "IdempotencyRecord",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
    "WebhookEventType",
]


class IdempotencyRecord(models.Model):
    """The first response to a POST sent with an `Idempotency-Key`, replayed on retries.

    The unique constraint on (principal, key) is the lock: of two concurrent requests with
    the same key exactly one inserts the row and runs; the other sees it in flight (409).
    """

    principal = models.CharField(max_length=64, help_text="user:<id> of the caller.")
    key = models.CharField(max_length=255)
    # SHA-256 of method, path, query string and body: the same key with another request
    # is a client bug (422), not a retry.
    fingerprint = models.CharField(max_length=64)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    # Null while the first request is running.
    completed_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_content_type = models.CharField(max_length=200, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    response_body = models.BinaryField(default=b"", blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["principal", "key"], name="idempotency_principal_key_unique"
            ),
        ]
        indexes = [
            # The hourly purge deletes records past their 24-hour lifetime.
            models.Index(fields=["created_at"], name="idempotency_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.principal} {self.key}"
