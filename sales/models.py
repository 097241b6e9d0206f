"""Sales records: deals, activities, nurture sequences, quotas and owner changes.

Every write that carries a rule lives in `sales.services`; constraints here are the last
line of defence (a bad row is refused by the database, whatever wrote it).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from currencies.codes import CURRENCY_CODE_SHAPE, company_currency

# The largest amount a deal or quota may carry: absurd figures are typos, not deals.
MAX_AMOUNT = Decimal("1000000000.00")
AMOUNT_DIGITS = {"max_digits": 14, "decimal_places": 2}


class Deal(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        WON = "won", "Won"
        LOST = "lost", "Lost"

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="deals")
    title = models.CharField(max_length=200)
    amount = models.DecimalField(**AMOUNT_DIGITS)
    # ISO 4217 code of `amount`. Reports convert to the company currency at the deal's
    # rate date (currencies.records); a foreign currency needs a rate (sales.services).
    currency = models.CharField(max_length=3, default=company_currency)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    expected_close_on = models.DateField(null=True, blank=True)
    # The business date the deal closed (site time zone): quota attainment counts by it.
    closed_on = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deals",
    )
    # The pipeline stage, written only by `sales.pipeline.services.deal_move`, which keeps
    # `status` in step with the stage's won/lost flags and records every move.
    stage = models.ForeignKey("sales.DealStage", on_delete=models.PROTECT, related_name="deals")
    stage_changed_at = models.DateTimeField(default=timezone.now)
    # Lost deals: the reason picked from the managed list; `lost_reason` keeps the words.
    loss_reason = models.ForeignKey(
        "sales.LostReason", null=True, blank=True, on_delete=models.PROTECT, related_name="deals"
    )
    lost_reason = models.CharField(max_length=500, blank=True)
    # The campaign whose promotion the customer used; `promo_code` keeps the code as it was
    # typed, so a later edit of the campaign does not rewrite history.
    promotion = models.ForeignKey(
        "marketing.Campaign",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="promoted_deals",
    )
    promo_code = models.CharField(max_length=50, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0) & Q(amount__lte=MAX_AMOUNT),
                name="deal_amount_in_range",
            ),
            models.CheckConstraint(condition=CURRENCY_CODE_SHAPE, name="deal_currency_is_a_code"),
            models.CheckConstraint(
                condition=Q(status__in=["open", "won", "lost"]), name="deal_status_is_known"
            ),
            # Open deals have no close; closed ones always have both dates.
            models.CheckConstraint(
                condition=(
                    Q(status="open", closed_on__isnull=True, closed_at__isnull=True)
                    | (~Q(status="open") & Q(closed_on__isnull=False, closed_at__isnull=False))
                ),
                name="deal_closed_iff_not_open",
            ),
        ]
        indexes = [
            # "My open deals" and the board.
            models.Index(fields=["owner", "status"], name="deal_owner_status_idx"),
            # A lead's deals (timeline, repeat customers).
            models.Index(fields=["lead", "status"], name="deal_lead_status_idx"),
            # Quota attainment: won deals closed in a period.
            models.Index(fields=["status", "closed_on"], name="deal_status_closed_idx"),
            # The deal board's columns and the forecast: open deals by stage and close date.
            models.Index(fields=["stage", "expected_close_on"], name="deal_stage_close_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Activity(models.Model):
    class Kind(models.TextChoices):
        CALL = "call", "Call"
        EMAIL = "email", "Email"
        MEETING = "meeting", "Meeting"
        NOTE = "note", "Note"
        TASK = "task", "Task"

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    # Planned for (a task or a scheduled call); null when logged after the fact.
    due_at = models.DateTimeField(null=True, blank=True)
    # When it happened or was completed; null while still to do.
    done_at = models.DateTimeField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    deal = models.ForeignKey(
        Deal, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    # Set when a sequence step created this task (see `Enrolment`).
    # A task keeps its history if its sequence is deleted, hence SET_NULL.
    enrolment = models.ForeignKey(
        "Enrolment", null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    step = models.ForeignKey(
        "SequenceStep",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "activities"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["call", "email", "meeting", "note", "task"]),
                name="activity_kind_is_known",
            ),
            # Exactly one task per enrolment and step, however many workers run the
            # cadence at once: the set-based insert skips pairs that already exist.
            models.UniqueConstraint(
                fields=["enrolment", "step"], name="activity_once_per_enrolment_step"
            ),
        ]
        indexes = [
            # "My work": a rep's open tasks by due time.
            models.Index(
                fields=["owner", "due_at"],
                name="activity_open_due_idx",
                condition=Q(done_at__isnull=True),
            ),
            # A lead's timeline, newest first.
            models.Index(fields=["lead", "created_at"], name="activity_lead_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def is_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        return self.done_at is None and self.due_at is not None and self.due_at < now


class Sequence(models.Model):
    """A nurture cadence: ordered steps a rep runs with a prospect (a shared playbook)."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # Inactive sequences take no new enrolments; running ones finish.
    is_active = models.BooleanField(default=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sequences",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


MAX_DAY_OFFSET = 365


class SequenceStep(models.Model):
    sequence = models.ForeignKey(Sequence, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    # Days after enrolment when the step falls due (0: the day of enrolment).
    day_offset = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=Activity.Kind.choices)
    subject = models.CharField(max_length=200)

    class Meta:
        ordering = ["sequence", "position"]
        constraints = [
            models.UniqueConstraint(fields=["sequence", "position"], name="step_position_unique"),
            models.CheckConstraint(
                condition=Q(day_offset__lte=MAX_DAY_OFFSET), name="step_day_offset_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"Day {self.day_offset}: {self.subject}"


class Enrolment(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        STOPPED = "stopped", "Stopped"

    sequence = models.ForeignKey(Sequence, on_delete=models.CASCADE, related_name="enrolments")
    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="enrolments")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # Step due times count from here.
    started_at = models.DateTimeField(default=timezone.now)
    # The sweep's progress: steps up to this position have their task, and the next one
    # falls due at `next_due_at` (null once every step has its task). So a sweep reads
    # only the enrolments with a step due, through the index below, and a task the rep
    # deleted is not created again.
    last_position = models.PositiveSmallIntegerField(default=0)
    next_due_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    stop_reason = models.CharField(max_length=200, blank=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # A lead runs a sequence once at a time; re-enrolling after a stop is fine.
            models.UniqueConstraint(
                fields=["sequence", "lead"],
                condition=Q(status="active"),
                name="enrolment_one_active_per_lead",
            ),
        ]
        indexes = [
            # The cadence sweep: running enrolments with a step due.
            models.Index(
                fields=["next_due_at"],
                name="enrolment_next_due_idx",
                condition=Q(status="active"),
            ),
            models.Index(fields=["lead", "status"], name="enrolment_lead_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.lead_id} in {self.sequence_id} ({self.status})"


class Quota(models.Model):
    """A revenue target in a month or a quarter for one rep (`owner`), one team (`team`),
    or, with neither, the whole sales team (the company)."""

    class Period(models.TextChoices):
        MONTH = "month", "Month"
        QUARTER = "quarter", "Quarter"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="quotas",
    )
    team = models.ForeignKey(
        "sales.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="quotas"
    )
    period = models.CharField(max_length=10, choices=Period.choices)
    starts_on = models.DateField()
    ends_on = models.DateField()
    target = models.DecimalField(**AMOUNT_DIGITS)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_on", "owner_id", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="quota_period_not_inverted"
            ),
            models.CheckConstraint(
                condition=Q(target__gt=0) & Q(target__lte=MAX_AMOUNT),
                name="quota_target_in_range",
            ),
            models.CheckConstraint(
                condition=Q(period__in=["month", "quarter"]), name="quota_period_is_known"
            ),
            models.UniqueConstraint(
                fields=["owner", "period", "starts_on"],
                condition=Q(owner__isnull=False),
                name="quota_one_per_rep_period",
            ),
            # The whole sales team's (the company's) quota: neither a rep nor a team.
            models.UniqueConstraint(
                fields=["period", "starts_on"],
                condition=Q(owner__isnull=True, team__isnull=True),
                name="quota_one_team_per_period",
            ),
            models.UniqueConstraint(
                fields=["team", "period", "starts_on"],
                condition=Q(team__isnull=False),
                name="quota_one_per_named_team_period",
            ),
            models.CheckConstraint(
                condition=Q(owner__isnull=True) | Q(team__isnull=True),
                name="quota_rep_or_team_not_both",
            ),
        ]

    def __str__(self) -> str:
        who = self.owner or self.team or "Team"
        return f"{who}: {self.period} from {self.starts_on}"

    @property
    def is_team(self) -> bool:
        """The whole sales team's quota (a named team's is `team_id`)."""
        return self.owner_id is None and self.team_id is None


class OwnerChange(models.Model):
    """Who moved a lead to which owner, and when: reassignments, claims, auto-assignment."""

    class Kind(models.TextChoices):
        REASSIGNED = "reassigned", "Reassigned"
        CLAIMED = "claimed", "Claimed"
        ASSIGNED = "assigned", "Assigned automatically"

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="owner_changes")
    from_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    to_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    reason = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["lead", "at"], name="ownerchange_lead_at_idx")]

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.from_owner_id} → {self.to_owner_id}"


# The pipeline's models live in their package; the tables belong to this app.
from sales.pipeline.models import (  # noqa: E402
    DealStage,
    DealStageChange,
    ForecastSnapshot,
    LostReason,
    Pipeline,
)
from sales.teams.models import Team, TeamMember  # noqa: E402

__all__ = [
    "Activity",
    "Deal",
    "DealStage",
    "DealStageChange",
    "Enrolment",
    "ForecastSnapshot",
    "LostReason",
    "OwnerChange",
    "Pipeline",
    "Quota",
    "Sequence",
    "SequenceStep",
    "Team",
    "TeamMember",
]
