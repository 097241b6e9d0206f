import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

# The largest template or message body accepted (text and HTML each): bigger is refused.
MAX_BODY_BYTES = 1_000_000


class MailKind(models.TextChoices):
    # Marketing mail needs the lead's marketing consent; sales mail follows the sales rule
    # (docs/architecture.md, "Email": who may be written to).
    MARKETING = "marketing", "Marketing"
    SALES = "sales", "Sales"


class EmailTemplate(models.Model):
    """Subject, plain text and HTML with merge fields ({{ first_name }}); HTML is stored
    sanitised."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=MailKind.choices, default=MailKind.SALES)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=MailKind.values), name="mail_template_kind_is_known"
            )
        ]

    def __str__(self) -> str:
        return self.name


def new_message_id() -> str:
    """RFC 5322 Message-ID, fixed when the row is written: a resend after a crash carries
    the same one, so receivers and ESPs can drop the duplicate."""
    return f"<{uuid.uuid4().hex}@{settings.MAIL_MESSAGE_ID_DOMAIN}>"


class Message(models.Model):
    """One email to one lead, written before it is sent. The worker claims the row
    (queued -> sending, a compare-and-set UPDATE with a lease), sends it, and marks it
    sent; a row whose lease lapsed mid-send is sent once more at most, with the same
    Message-ID (mail.sending)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    message_id = models.CharField(max_length=200, unique=True, default=new_message_id)
    kind = models.CharField(max_length=10, choices=MailKind.choices)
    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="messages")
    to_email = models.EmailField(max_length=254)
    # The part after @, lowered: the per-domain rate limit groups by it.
    to_domain = models.CharField(max_length=254)
    from_email = models.CharField(max_length=400)
    reply_to = models.CharField(max_length=400, blank=True)
    subject = models.CharField(max_length=300)
    # Rendered for this lead (merge fields filled, HTML sanitised). A sequence step's
    # row is written without them (set-based sweep) and rendered at its first claim.
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    rendered = models.BooleanField(default=True)
    template = models.ForeignKey(
        EmailTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sent_messages",
    )
    campaign_send = models.ForeignKey(
        "CampaignSend", null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    # Attribution: the campaign whose touches this message's opens and clicks become.
    campaign = models.ForeignKey(
        "marketing.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enrolment = models.ForeignKey(
        "sales.Enrolment", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    step = models.ForeignKey(
        "sales.SequenceStep", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Why it was skipped or failed, in words a person reads.
    reason = models.CharField(max_length=500, blank=True)
    send_after = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    # Which claim holds the row: a worker marks only rows its own claim still holds.
    claim_token = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    esp_message_id = models.CharField(max_length=300, blank=True)
    # Tracking: the first time each happened (docs/architecture.md, "Email reports").
    delivered_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    complained_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign_send", "lead"],
                condition=Q(campaign_send__isnull=False),
                name="mail_message_once_per_campaign_send",
            ),
            models.UniqueConstraint(
                fields=["enrolment", "step"],
                condition=Q(enrolment__isnull=False),
                name="mail_message_once_per_enrolment_step",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "sending", "sent", "failed", "skipped"]),
                name="mail_message_status_is_known",
            ),
        ]
        indexes = [
            # The send sweep: queued rows by due time; lapsed claims.
            models.Index(
                fields=["send_after"],
                name="mail_message_queued_idx",
                condition=Q(status__in=["queued", "sending"]),
            ),
            # Rate limits: what went out recently, per domain.
            models.Index(fields=["sent_at", "to_domain"], name="mail_message_sent_idx"),
            models.Index(fields=["lead", "-created_at"], name="mail_message_lead_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} to {self.to_email} ({self.status})"


class Suppression(models.Model):
    """An address no email goes to, whatever the kind: unsubscribed, hard-bounced,
    complained, or added by a manager."""

    class Reason(models.TextChoices):
        UNSUBSCRIBE = "unsubscribe", "Unsubscribed"
        HARD_BOUNCE = "hard_bounce", "Hard bounce"
        COMPLAINT = "complaint", "Spam complaint"
        MANUAL = "manual", "Added by a manager"

    email = models.EmailField(max_length=254, unique=True)  # lowered
    reason = models.CharField(max_length=20, choices=Reason.choices)
    detail = models.CharField(max_length=500, blank=True)
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.email} ({self.reason})"


class CampaignSend(models.Model):
    """A marketing email to the leads of a saved view, now or at `scheduled_at`. Expanded
    into one Message per lead by a sweep (unique per send and lead), so a crash mid-way
    resumes without doubles."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        EXPANDED = "expanded", "Queued for sending"
        CANCELLED = "cancelled", "Cancelled"
        FAILED = "failed", "Failed"

    name = models.CharField(max_length=200)
    campaign = models.ForeignKey(
        "marketing.Campaign",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="email_sends",
    )
    saved_view = models.ForeignKey(
        "lists.SavedView", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    template = models.ForeignKey(
        EmailTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scheduled_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    reason = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expanded_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["scheduled_at"],
                name="mail_send_due_idx",
                condition=Q(status="scheduled"),
            )
        ]

    def __str__(self) -> str:
        return self.name


class StepEmail(models.Model):
    """The email a sequence's email step sends automatically (without one, the step stays
    a task for the rep)."""

    step = models.OneToOneField(
        "sales.SequenceStep", on_delete=models.CASCADE, related_name="email"
    )
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.subject


class SendingWindow(models.Model):
    """When a rep's automatic sequence emails may go out: weekdays and hours in their
    time zone. Without a row: Monday to Friday, 08:00-18:00 in the site's time zone."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sending_window"
    )
    time_zone = models.CharField(max_length=64, default="UTC")
    # ISO weekdays, 1 = Monday.
    weekdays = models.JSONField(default=list)
    start_hour = models.PositiveSmallIntegerField(default=8)
    end_hour = models.PositiveSmallIntegerField(default=18)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.weekdays} {self.start_hour}-{self.end_hour}"


class SinkMessage(models.Model):
    """What the local sink backend received (the embedded default, `make run`): the
    Outbox page shows each message as it would arrive."""

    message_id = models.CharField(max_length=200, db_index=True)
    to = models.TextField()
    from_email = models.CharField(max_length=400)
    subject = models.CharField(max_length=300)
    headers = models.JSONField(default=dict)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.subject} to {self.to}"
