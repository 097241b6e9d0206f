"""The API key model (stored in the `integrations` app's tables)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

__all__ = ["ApiKey"]


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
