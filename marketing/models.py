import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower, Now
from django.utils import timezone

from currencies.codes import CURRENCY_CODE_SHAPE, company_currency


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
    budget = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    description = models.TextField(max_length=5000, blank=True)
    target_audience = models.CharField(max_length=300, blank=True)
    # Unique in any letter case (the constraint below): links are typed by people, and a
    # touch naming "Spring-X" is credited to the campaign "spring-x". Kept as entered.
    utm_campaign = models.SlugField(
        "UTM campaign name", max_length=100, db_index=False, help_text="utm_campaign value"
    )
    # Secret that a public web form sends to attribute captured leads to this campaign.
    capture_key = models.CharField(max_length=64, unique=True, default=new_capture_key)
    # Where a browser lands after posting the public capture form (empty: Funnel's own
    # thank-you page).
    thank_you_url = models.URLField("thank-you page URL", max_length=500, blank=True)
    # Promotion: deals record the code used, so results show revenue and discount per code.
    promo_code = models.CharField(max_length=40, blank=True)
    discount_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(100)],
    )
    discount_amount = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaigns",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

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
                violation_error_message="The campaign cannot end before it starts.",
            ),
            # A promotion is a code with exactly one kind of discount; no code, no discount.
            models.CheckConstraint(
                condition=(
                    Q(promo_code="", discount_percent__isnull=True, discount_amount__isnull=True)
                    | (
                        ~Q(promo_code="")
                        & (
                            Q(discount_percent__isnull=False, discount_amount__isnull=True)
                            | Q(discount_percent__isnull=True, discount_amount__isnull=False)
                        )
                    )
                ),
                name="campaign_promotion_complete",
                violation_error_message=(
                    "A promotion needs a promo code and either a percent or an amount discount."
                ),
            ),
            models.CheckConstraint(
                condition=Q(discount_percent__isnull=True)
                | Q(discount_percent__gt=0, discount_percent__lte=100),
                name="campaign_discount_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(discount_amount__isnull=True) | Q(discount_amount__gt=0),
                name="campaign_discount_amount_positive",
            ),
            # Deals name the code they used: one code, one campaign (any letter case).
            models.UniqueConstraint(
                Lower("promo_code"),
                condition=~Q(promo_code=""),
                name="campaign_promo_code_unique",
                violation_error_message="Another campaign already uses this promo code.",
            ),
            # Touches, capture and imports resolve a UTM name by its lower case: this index
            # serves those look-ups and makes "spring-x" and "SPRING-x" one name.
            models.UniqueConstraint(
                Lower("utm_campaign"),
                name="campaign_utm_name_unique",
                violation_error_message="Another campaign already uses this UTM name.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_promotion(self) -> bool:
        return bool(self.promo_code)


class Spend(models.Model):
    """The cost ledger: what a campaign cost on a day. Many entries per campaign and day."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="spend")
    day = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    # ISO 4217 code of `amount`; converted at the line's day (currencies.records).
    currency = models.CharField(max_length=3, default=company_currency)
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-day", "-id"]
        verbose_name_plural = "spend"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="spend_amount_not_negative"),
            models.CheckConstraint(condition=CURRENCY_CODE_SHAPE, name="spend_currency_is_a_code"),
        ]
        indexes = [
            # A campaign's ledger, newest first, and its total so far.
            models.Index(fields=["campaign", "-day"], name="spend_campaign_day_idx"),
            # Results: spend with a day in the window, per campaign.
            models.Index(fields=["day"], name="spend_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.day}: {self.amount}"


class TouchKind(models.TextChoices):
    FORM_SUBMIT = "form_submit", "Form submit"
    PAGE_VISIT = "page_visit", "Page visit"
    EMAIL_OPEN = "email_open", "Email open"
    EMAIL_CLICK = "email_click", "Email click"
    CONTENT_DOWNLOAD = "content_download", "Content download"
    WEBINAR_ATTENDED = "webinar_attended", "Webinar attended"
    EVENT_ATTENDED = "event_attended", "Event attended"
    # Email tracking (mail.events): a message delivered, and a reply to one.
    EMAIL_DELIVERED = "email_delivered", "Email delivered"
    EMAIL_REPLY = "email_reply", "Email reply"


class Touch(models.Model):
    """The engagement log: one interaction of a lead, with or without a campaign."""

    Kind = TouchKind

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="touches")
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="touches"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    utm_source = models.CharField(max_length=200, blank=True)
    utm_medium = models.CharField(max_length=200, blank=True)
    utm_campaign = models.CharField(max_length=200, blank=True)
    utm_content = models.CharField(max_length=200, blank=True)
    utm_term = models.CharField(max_length=200, blank=True)
    # What a web form submitted (capture): the lead only takes values it had no value for,
    # so the submission is kept here for a person to review. Null for other touches.
    submitted = models.JSONField(null=True, blank=True)
    # Whether the touch earns its points. An anonymous form naming a lead that is past
    # the `lead` stage (a prospect, a customer) is logged for review but scores nothing:
    # anyone may post any address (docs/architecture.md, "Merge policy").
    scored = models.BooleanField(default=True, db_default=True)
    # When the row was last written (`at` says when the touch happened and may be
    # back-dated). The minute scoring run rescores leads with a touch written since its
    # watermark. The database default stamps rows inserted by raw SQL (imports, seeding).
    recorded_at = models.DateTimeField(auto_now=True, db_default=Now())

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "touches"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=TouchKind.values), name="touch_kind_is_known"
            ),
        ]
        indexes = [
            # A lead's touches (score explanation, last touch before a deal closed).
            models.Index(fields=["lead", "-at"], name="touch_lead_at_idx"),
            # A campaign's recent touches on its page.
            models.Index(fields=["campaign", "-at"], name="touch_campaign_at_idx"),
            # The minute scoring run: touches written since its watermark.
            models.Index(fields=["recorded_at"], name="touch_recorded_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by lead {self.lead_id} at {self.at:%Y-%m-%d %H:%M}"


def default_touch_points() -> dict[str, float]:
    return {
        Touch.Kind.FORM_SUBMIT: 10.0,
        Touch.Kind.PAGE_VISIT: 1.0,
        Touch.Kind.EMAIL_OPEN: 1.0,
        Touch.Kind.EMAIL_CLICK: 3.0,
        Touch.Kind.CONTENT_DOWNLOAD: 5.0,
        Touch.Kind.WEBINAR_ATTENDED: 15.0,
        Touch.Kind.EVENT_ATTENDED: 15.0,
        Touch.Kind.EMAIL_DELIVERED: 0.0,
        Touch.Kind.EMAIL_REPLY: 10.0,
    }


class ScoringRules(models.Model):
    """The one set of scoring rules (a single row, id 1), edited by marketing."""

    SINGLETON_ID = 1

    touch_points = models.JSONField(default=default_touch_points)
    half_life_days = models.FloatField(
        default=30.0, validators=[MinValueValidator(0.1), MaxValueValidator(3650)]
    )
    mql_threshold = models.FloatField(
        "MQL threshold", validators=[MinValueValidator(0.01), MaxValueValidator(1_000_000)]
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "scoring rules"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="scoring_rules_single_row"),
            models.CheckConstraint(
                condition=Q(half_life_days__gt=0), name="scoring_half_life_positive"
            ),
        ]

    def __str__(self) -> str:
        return "Scoring rules"

    def points_for(self, kind: str) -> float:
        return float(self.touch_points.get(kind, 0.0))


class ScoringWatermark(models.Model):
    """How far the scoring runs have got (a single row, id 1, made by the first run).

    Apart from ScoringRules on purpose: a run locks this row while it scores, and a full
    recompute over a million leads must not hold up a marketer saving the rules."""

    SINGLETON_ID = 1

    # Every input (touch or lead) written before this moment, less the configured overlap
    # (SCORING_WATERMARK_OVERLAP_SECONDS), is in the stored scores. Empty: score everyone.
    scored_through = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="scoring_watermark_single_row"),
        ]

    def __str__(self) -> str:
        return f"Scored through {self.scored_through}"


class FitRule(models.Model):
    """Points a lead gets for a field value (fit), whatever it does (engagement)."""

    class Field(models.TextChoices):
        INDUSTRY = "industry", "Industry"
        COMPANY_SIZE = "company_size", "Company size"
        COUNTRY = "country", "Country"

    field = models.CharField(max_length=20, choices=Field.choices)
    # Matched case-insensitively against the lead's value.
    value = models.CharField(max_length=100)
    points = models.FloatField(validators=[MinValueValidator(-1000), MaxValueValidator(1000)])

    class Meta:
        ordering = ["field", "value"]
        constraints = [
            models.UniqueConstraint("field", Lower("value"), name="fit_rule_field_value_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_field_display()} = {self.value}: {self.points:+g}"


# The CSV import's job and staging rows live in their own module to keep this one short.
from marketing.import_models import ImportJob, ImportRow  # noqa: E402

__all__ = [
    "Campaign",
    "FitRule",
    "ImportJob",
    "ImportRow",
    "ScoringRules",
    "ScoringWatermark",
    "Spend",
    "Touch",
    "TouchKind",
    "default_touch_points",
    "new_capture_key",
]
