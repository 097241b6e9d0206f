from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone

from funnel.stages import CAUSE_CHOICES, STAGE_CHOICES


class ImmutableRecord(Exception):
    pass


class StageChange(models.Model):
    """One move of one lead. Immutable: history is the source of truth for every figure."""

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=20, choices=STAGE_CHOICES)
    to_stage = models.CharField(max_length=20, choices=STAGE_CHOICES)
    at = models.DateTimeField(default=timezone.now)
    # When the lead entered `from_stage` (its creation for `lead`), so time in stage is
    # `at - from_stage_entered_at` without looking up the previous move.
    from_stage_entered_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cause = models.CharField(max_length=10, choices=CAUSE_CHOICES)
    reason = models.CharField(max_length=500, blank=True)
    # Set on the moves of a lead merged into this one (the merged-away lead's id, see
    # leads.LeadMerge): they count for reached/flow/time in stage like any move, but they
    # are another chain than the lead's own, which alone gives its current stage.
    merged_from = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(from_stage=models.F("to_stage")),
                name="stage_change_moves",
            ),
        ]
        indexes = [
            # A lead's history, oldest first.
            models.Index(fields=["lead", "at", "id"], name="stagechange_lead_at_idx"),
            # The home page's "recent moves", newest first.
            models.Index(fields=["-at", "-id"], name="stagechange_recent_idx"),
            # Flow metrics: moves into a stage within a window.
            models.Index(fields=["to_stage", "at"], name="stagechange_to_at_idx"),
            # Time in stage: moves out of a stage within a window.
            models.Index(fields=["from_stage", "at"], name="stagechange_from_at_idx"),
            # Funnel metrics: `stagechange_window_idx`, a covering index on `at` for
            # index-only scans of a window's moves, is PostgreSQL-only (INCLUDE columns),
            # so it lives in migration 0002_metrics_window_index, not here.
        ]

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.from_stage} → {self.to_stage} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ImmutableRecord("Stage changes are history and cannot be edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecord("Stage changes are history and cannot be deleted.")


# --- Metric rollups (PostgreSQL; funnel/metrics/rollup_refresh.py, rollup_read.py) -------
# Daily summaries the manager dashboards read instead of scanning millions of rows. Days
# are local days in `RollupState.time_zone`. Database triggers (migration
# 0005_metric_rollup_triggers) note every write to the source tables in `RollupDirty`; a day with a
# pending note is read live until the Celery refresh has rebuilt it, so a figure never
# comes from a stale summary.


class RollupState(models.Model):
    """One row once the rollups are built; none means "not built, read everything live"."""

    time_zone = models.CharField(max_length=64)
    refreshed_at = models.DateTimeField()

    class Meta:
        db_table = "funnel_rollup_state"

    def __str__(self) -> str:
        return f"Rollups for {self.time_zone}, refreshed {self.refreshed_at:%Y-%m-%d %H:%M}"


class RollupDirty(models.Model):
    """Source rows between `lo` and `hi` changed after the rollups last read them."""

    class Kind(models.IntegerChoices):
        MOVES = 1, "stage changes (by time of the move)"
        COHORT = 2, "leads (by time of creation)"

    kind = models.SmallIntegerField(choices=Kind.choices)
    lo = models.DateTimeField()
    hi = models.DateTimeField()

    class Meta:
        db_table = "funnel_rollup_dirty"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} changed between {self.lo} and {self.hi}"


class CohortRollup(models.Model):
    """Leads created on `day` and how many of them ever reached each stage (milestones)."""

    day = models.DateField(primary_key=True)
    cohort = models.IntegerField()
    reached_lead = models.IntegerField()
    reached_prospect = models.IntegerField()
    reached_customer = models.IntegerField()
    reached_disqualified = models.IntegerField()
    reached_lost = models.IntegerField()

    class Meta:
        db_table = "funnel_rollup_cohort"

    def __str__(self) -> str:
        return f"{self.day}: {self.cohort} leads"


class FlowRollup(models.Model):
    """Moves into `to_code` (index in funnel.metrics.figures.STAGES) on `day`."""

    pk = models.CompositePrimaryKey("day", "to_code")
    day = models.DateField()
    to_code = models.SmallIntegerField()
    moves = models.IntegerField()

    class Meta:
        db_table = "funnel_rollup_flow"

    def __str__(self) -> str:
        return f"{self.day}: {self.moves} moves into stage {self.to_code}"


class StageTimeRollup(models.Model):
    """Moves out of `from_code` on `day` whose time in stage falls in duration `bucket`,
    with those durations (days, float8, sorted, big-endian) so exact percentiles need only
    the one bucket that holds the wanted rank."""

    pk = models.CompositePrimaryKey("day", "from_code", "bucket")
    day = models.DateField()
    from_code = models.SmallIntegerField()
    bucket = models.SmallIntegerField()
    moves = models.IntegerField()
    durations = models.BinaryField()

    class Meta:
        db_table = "funnel_rollup_stage_time"
        indexes = [
            # Second pass of a percentile: one (stage, bucket) over a window's days.
            models.Index(fields=["from_code", "bucket", "day"], name="rollup_stage_time_bucket"),
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.moves} moves out of stage {self.from_code}, bucket {self.bucket}"


# --- Campaign revenue credits (PostgreSQL; marketing/credit_rollup.py) ------------------
# Won deals' original amounts credited to campaigns (marketing.metrics.revenue_credits),
# summed per close day and currency and converted when read, so a rate added or corrected
# later for a past day changes the figure at once. Triggers (migration
# 0009_credit_rollup_triggers) note the close days (or the leads) every write touches in
# `funnel_rollup_credit_dirty` (a PostgreSQL-only table of that migration: the notes hold
# arrays); those days are read live until the minute refresh rebuilds them.


class CreditRollup(models.Model):
    """Sum of the original `amount`s in `currency` of the deals won (closed) on
    `closed_on` that `kind` credits to `campaign_id` (None: no campaign). Linear shares
    are keyed by the deal's credited touch count `touches` and summed once per touch, so
    the reader divides each (campaign, count) sum once, as the live path does."""

    class Kind(models.IntegerChoices):
        FIRST_TOUCH = 1, "first touch"
        LAST_TOUCH = 2, "last touch"
        LINEAR = 3, "linear shares"
        FALLBACK = 4, "linear fallback (no credited touch)"

    closed_on = models.DateField()
    currency = models.CharField(max_length=3)
    kind = models.SmallIntegerField(choices=Kind.choices)
    # No foreign key: a deleted campaign's touches and leads lose it by their own writes.
    campaign_id = models.BigIntegerField(null=True)
    touches = models.IntegerField()
    amount = models.DecimalField(max_digits=30, decimal_places=2)

    class Meta:
        db_table = "funnel_rollup_credit"
        indexes = [models.Index(fields=["closed_on"], name="rollup_credit_day")]

    def __str__(self) -> str:
        return f"{self.closed_on}: {self.amount} {self.currency} to campaign {self.campaign_id}"


class CreditRollupDay(models.Model):
    """A (close day, currency) present in `CreditRollup`: the reader converts each pair
    once with currencies.conversion's rate expression, not once per summary row."""

    pk = models.CompositePrimaryKey("closed_on", "currency")
    closed_on = models.DateField()
    currency = models.CharField(max_length=3)

    class Meta:
        db_table = "funnel_rollup_credit_day"

    def __str__(self) -> str:
        return f"{self.closed_on} {self.currency}"


# --- Keyed summaries (PostgreSQL; funnel/metrics/keyed_refresh.py, keyed_read.py) -------
# The same figures per key of one lead attribute, so breakdowns, filters and a rep's scope
# read summaries too: `dim` 1 is the lead's owner, 2 its source campaign (the channel is
# the campaign's, mapped when read), 4 the pair of both (campaign << 32 | owner: reports
# needing both, a rep's scope by campaign or channel among them; 3, the pool's campaigns,
# is gone: dim 4's rows of owner 0); `key` 0 means none. Cohorts are per local day and
# rebuilt with the day rollups; moves per past local month (its first day) and per past
# local day. A lead whose owner or campaign changes after its periods were built leaves a
# `KeyedLeadNote`, and readers move its moves from the noted key to the current one.


class KeyedCohort(models.Model):
    pk = models.CompositePrimaryKey("day", "dim", "key")
    day = models.DateField()
    dim = models.SmallIntegerField()
    key = models.BigIntegerField()
    cohort = models.IntegerField()
    reached_lead = models.IntegerField()
    reached_prospect = models.IntegerField()
    reached_customer = models.IntegerField()
    reached_disqualified = models.IntegerField()
    reached_lost = models.IntegerField()

    class Meta:
        db_table = "funnel_keyed_cohort"
        indexes = [
            # A filter or a rep's scope: one key's days.
            models.Index(fields=["dim", "key", "day"], name="keyed_cohort_key"),
        ]

    def __str__(self) -> str:
        return f"{self.day} dim {self.dim} key {self.key}: {self.cohort} leads"


class _KeyedMoves(models.Model):
    """What a keyed flow or stage-time row holds beside its period (a month's first day,
    or a day): the month and day tables are twins (keyed_sql.GRAINS)."""

    dim = models.SmallIntegerField()
    key = models.BigIntegerField()
    moves = models.IntegerField()

    class Meta:
        abstract = True

    def _period(self):
        return self.pk[0]


class _KeyedFlowRow(_KeyedMoves):
    to_code = models.SmallIntegerField()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self._period()} dim {self.dim} key {self.key}: {self.moves} into {self.to_code}"


class _KeyedStageTimeRow(_KeyedMoves):
    """As StageTimeRollup, per period and key: durations sorted, float8, big-endian."""

    from_code = models.SmallIntegerField()
    bucket = models.SmallIntegerField()
    durations = models.BinaryField()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        period = self._period()
        return f"{period} dim {self.dim} key {self.key}: {self.moves} out of {self.from_code}"


class _BuiltPeriod(models.Model):
    """A period whose keyed moves are built (from the source rows as of `built_at`)."""

    built_at = models.DateTimeField()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.pk} built {self.built_at:%Y-%m-%d %H:%M}"


class KeyedFlow(_KeyedFlowRow):
    pk = models.CompositePrimaryKey("month", "dim", "key", "to_code")
    month = models.DateField()

    class Meta:
        db_table = "funnel_keyed_flow"
        indexes = [models.Index(fields=["dim", "key", "month"], name="keyed_flow_key")]


class KeyedStageTime(_KeyedStageTimeRow):
    pk = models.CompositePrimaryKey("month", "dim", "key", "from_code", "bucket")
    month = models.DateField()

    class Meta:
        db_table = "funnel_keyed_stage_time"
        indexes = [
            models.Index(fields=["dim", "key", "month"], name="keyed_stage_time_key"),
            # A narrow report's whole months (keyed_sql.WHOLE: bucket -1).
            models.Index(
                fields=["dim", "key", "month"],
                name="keyed_stage_time_whole",
                condition=models.Q(bucket__lt=0),
            ),
        ]


class KeyedMonth(_BuiltPeriod):
    month = models.DateField(primary_key=True)

    class Meta:
        db_table = "funnel_keyed_month"

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} built {self.built_at:%Y-%m-%d %H:%M}"


class KeyedDayFlow(_KeyedFlowRow):
    """As KeyedFlow, per past local day (keyed_sql.DAY): the days of partial months."""

    pk = models.CompositePrimaryKey("day", "dim", "key", "to_code")
    day = models.DateField()

    class Meta:
        db_table = "funnel_keyed_day_flow"
        indexes = [models.Index(fields=["dim", "key", "day"], name="keyed_day_flow_key")]


class KeyedDayStageTime(_KeyedStageTimeRow):
    pk = models.CompositePrimaryKey("day", "dim", "key", "from_code", "bucket")
    day = models.DateField()

    class Meta:
        db_table = "funnel_keyed_day_stage_time"
        indexes = [models.Index(fields=["dim", "key", "day"], name="keyed_day_stage_time_key")]


class KeyedDay(_BuiltPeriod):
    day = models.DateField(primary_key=True)

    class Meta:
        db_table = "funnel_keyed_day"


class KeyedLeadNote(models.Model):
    """A lead's owner or source campaign changed (written by the statement trigger of
    migration 0013): the values before the change. Append-only; a lead's oldest note holds
    the key the built months counted it under (the refresh deletes the notes it saw)."""

    lead_id = models.BigIntegerField()
    owner_was = models.BigIntegerField()
    campaign_was = models.BigIntegerField()
    noted_at = models.DateTimeField(db_default=Now())
    # The lead's keyed cohort (its creation day) still counts it under the old key: read
    # that day live until the next refresh rebuilds it and clears this (keyed_refresh).
    cohort_pending = models.BooleanField(db_default=True)

    class Meta:
        db_table = "funnel_keyed_lead_note"
        indexes = [models.Index(fields=["lead_id", "id"], name="keyed_lead_note_lead")]

    def __str__(self) -> str:
        return f"lead {self.lead_id} was owner {self.owner_was}, campaign {self.campaign_was}"
