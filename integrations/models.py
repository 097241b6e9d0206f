from django.conf import settings
from django.db import models
from django.utils import timezone

# --- API keys and idempotency (integrations/api_keys.py, integrations/idempotency.py) ---


class ApiKey(models.Model):
    """A key an integration sends as `Authorization: Api-Key <prefix>.<secret>`.

    Only a hash is stored (djangorestframework-api-key's SHA-512 key hasher: the secret is
    random, so a slow password hash buys nothing). Each key acts as its own service user,
    so actor columns name the integration and every queryset's visibility rule applies to
    it unchanged (see integrations.api_keys).
    """

    class Scope(models.TextChoices):
        READ = "read", "Read only"
        READ_WRITE = "read_write", "Read and write"

    name = models.CharField(max_length=100, help_text="Who uses this key, e.g. “Zapier”.")
    # The part before the dot, shown in lists so people can tell keys apart.
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    hashed_key = models.CharField(max_length=150, editable=False)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.READ)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="integration_key",
        editable=False,
        help_text="The service user the key acts as; it cannot log in.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Written at most once a minute per key (integrations.api_keys.api_key_touch).
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API key"
        verbose_name_plural = "API keys"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.READ_WRITE


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


# --- Webhooks: defined in their own module (integrations/webhook_models.py) ------------
from integrations.webhook_models import *  # noqa: E402, F403
