from django.conf import settings
from django.db import models
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
