import secrets

from django.conf import settings
from django.db import models


def new_capture_key() -> str:
    return secrets.token_urlsafe(24)


class Campaign(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        PAID_SEARCH = "paid_search", "Paid search"
        SOCIAL = "social", "Social"
        CONTENT = "content", "Content"
        EVENT = "event", "Event"
        WEBINAR = "webinar", "Webinar"
        REFERRAL = "referral", "Referral"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"

    name = models.CharField(max_length=200)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.OTHER)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    budget = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    utm_campaign = models.SlugField(
        "UTM campaign name", max_length=100, unique=True, help_text="utm_campaign value"
    )
    # Secret that a public web form sends to attribute captured leads to this campaign.
    capture_key = models.CharField(max_length=64, unique=True, default=new_capture_key)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaigns",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(budget__gte=0), name="campaign_budget_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(starts_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name
