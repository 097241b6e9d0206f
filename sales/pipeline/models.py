"""Pipelines, their stages, managed loss reasons and the immutable deal stage history.

`Deal.stage` is written only by `sales.pipeline.services.deal_move` (row lock, one
`DealStageChange` per real move); `Deal.status` (open/won/lost) is kept in step by the same
writer from the stage's flags, so every figure that reads the status (quotas, revenue,
campaign returns) is unchanged.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from currencies.codes import company_currency
from funnel.stages import CAUSE_CHOICES

AMOUNT_DIGITS = {"max_digits": 14, "decimal_places": 2}


class Pipeline(models.Model):
    name = models.CharField(max_length=100, unique=True)
    # New deals go into the default pipeline's first open stage.
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="pipeline_one_default"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ForecastCategory(models.TextChoices):
    """How an open deal in a stage counts in the forecast (docs/architecture.md)."""

    PIPELINE = "pipeline", "Pipeline"
    BEST_CASE = "best_case", "Best case"
    COMMIT = "commit", "Commit"
    CLOSED = "closed", "Closed"
    OMITTED = "omitted", "Omitted"


class DealStage(models.Model):
    pipeline = models.ForeignKey(Pipeline, on_delete=models.PROTECT, related_name="stages")
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField()
    # Percent chance that a deal in this stage is won: the weighted pipeline's factor.
    probability = models.PositiveSmallIntegerField()
    is_won = models.BooleanField(default=False)
    is_lost = models.BooleanField(default=False)
    forecast_category = models.CharField(
        max_length=10, choices=ForecastCategory.choices, default=ForecastCategory.PIPELINE
    )

    class Meta:
        ordering = ["pipeline_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "position"], name="dealstage_position"),
            models.UniqueConstraint(fields=["pipeline", "name"], name="dealstage_name"),
            models.CheckConstraint(
                condition=Q(probability__lte=100), name="dealstage_probability_percent"
            ),
            models.CheckConstraint(
                condition=~Q(is_won=True, is_lost=True), name="dealstage_not_won_and_lost"
            ),
            # A closed stage is certain: won counts in full, lost not at all.
            models.CheckConstraint(
                condition=Q(is_won=False) | Q(probability=100, forecast_category="closed"),
                name="dealstage_won_is_certain",
            ),
            models.CheckConstraint(
                condition=Q(is_lost=False) | Q(probability=0, forecast_category="omitted"),
                name="dealstage_lost_is_nothing",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.is_won or self.is_lost

    @property
    def status(self) -> str:
        """The deal status a deal in this stage has (`Deal.Status` values)."""
        return "won" if self.is_won else "lost" if self.is_lost else "open"


class LostReason(models.Model):
    """The managed list a rep picks from when a deal is lost (admin: managers)."""

    name = models.CharField(max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(default=0)
    # Retired reasons stay on old deals but are no longer offered.
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class DealStageChange(models.Model):
    """One move of one deal, or one edit of its amount, currency or expected close date
    (`kind`), with its amount and expected close date at that moment. Immutable: written
    only by `sales.pipeline.services` (`deal_move`, `deal_history_edit`), read-only in the
    admin and the API. A deal's first row (from_stage null) is its creation; an edit stays
    in its stage (from_stage = to_stage)."""

    class Kind(models.TextChoices):
        MOVE = "move", "Stage move"
        EDIT = "edit", "Edit"

    deal = models.ForeignKey("sales.Deal", on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(
        DealStage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_stage = models.ForeignKey(DealStage, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    # When the deal entered `from_stage`, so days in stage is `at - from_stage_entered_at`
    # without looking up the previous row (as funnel.StageChange does for leads).
    from_stage_entered_at = models.DateTimeField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cause = models.CharField(max_length=10, choices=CAUSE_CHOICES)
    reason = models.CharField(max_length=500, blank=True)
    kind = models.CharField(max_length=4, choices=Kind.choices, default=Kind.MOVE)
    amount = models.DecimalField(**AMOUNT_DIGITS)
    currency = models.CharField(max_length=3, default=company_currency)
    expected_close_on = models.DateField(null=True, blank=True)
    # The expected close date of the deal's previous row (null on its first): slippage
    # compares the two on each row, an indexed aggregate instead of a window over all
    # history (as `from_stage_entered_at` does for velocity).
    previous_expected_close_on = models.DateField(null=True, blank=True)
    lost_reason = models.ForeignKey(
        LostReason, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="edit", from_stage=models.F("to_stage"))
                | Q(kind="move") & ~Q(from_stage=models.F("to_stage")),
                name="dealstagechange_moves_or_edits",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["move", "edit"]), name="dealstagechange_kind_is_known"
            ),
        ]
        indexes = [
            # A deal's history, oldest first (and slippage's previous row).
            models.Index(fields=["deal", "at", "id"], name="dealchange_deal_at_idx"),
            # Win rate: deals that entered a stage; velocity: moves out of a stage in a window.
            models.Index(fields=["to_stage", "at"], name="dealchange_to_at_idx"),
            models.Index(fields=["from_stage", "at"], name="dealchange_from_at_idx"),
            # Win rate: the stages each closed deal entered, read from the index alone
            # (a nested loop from the window's closed deals, no heap visits).
            models.Index(fields=["deal", "to_stage"], name="dealchange_deal_to_idx"),
            # Velocity: the window's moves out of each stage with their entry time, read
            # from the index alone (its condition is the statement's filter).
            models.Index(
                fields=["from_stage", "at"],
                include=["from_stage_entered_at"],
                name="dealchange_velocity_idx",
                condition=Q(kind="move", from_stage_entered_at__isnull=False),
            ),
            # Slippage: the window's comparable rows, read from the index alone.
            models.Index(
                fields=["at", "deal", "expected_close_on", "previous_expected_close_on"],
                name="dealchange_slippage_idx",
                condition=Q(
                    expected_close_on__isnull=False, previous_expected_close_on__isnull=False
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"deal {self.deal_id}: {self.from_stage_id} → {self.to_stage_id}"


class ForecastSnapshot(models.Model):
    """The forecast of one rep (or the team: `owner` empty) for one quota period, as it
    stood in one week. Taken by the beat task once per week (the week's Monday is
    `taken_on`; a second run that week writes nothing), so a manager sees how the
    forecast moved during the period and, afterwards, how close it came to what closed."""

    taken_on = models.DateField()
    period = models.CharField(max_length=10)  # "month" or "quarter" (sales.periods)
    starts_on = models.DateField()
    ends_on = models.DateField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # A team's figures (owner empty); neither owner nor team: the whole sales team.
    team = models.ForeignKey(
        "sales.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    closed_won = models.DecimalField(**AMOUNT_DIGITS)
    commit = models.DecimalField(**AMOUNT_DIGITS)
    best_case = models.DecimalField(**AMOUNT_DIGITS)
    weighted = models.DecimalField(**AMOUNT_DIGITS)
    pipeline = models.DecimalField(**AMOUNT_DIGITS)
    target = models.DecimalField(null=True, blank=True, **AMOUNT_DIGITS)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_on", "taken_on", "owner_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["taken_on", "period", "starts_on", "owner"],
                condition=Q(owner__isnull=False),
                name="forecast_snapshot_once_per_rep_week",
            ),
            models.UniqueConstraint(
                fields=["taken_on", "period", "starts_on"],
                condition=Q(owner__isnull=True, team__isnull=True),
                name="forecast_snapshot_once_per_team_week",
            ),
            models.UniqueConstraint(
                fields=["taken_on", "period", "starts_on", "team"],
                condition=Q(team__isnull=False),
                name="forecast_snapshot_once_per_named_team_week",
            ),
        ]
        indexes = [
            models.Index(fields=["period", "starts_on", "taken_on"], name="forecast_period_idx")
        ]

    def __str__(self) -> str:
        return f"{self.owner_id or 'team'} {self.period} {self.starts_on} @ {self.taken_on}"
