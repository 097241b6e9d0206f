"""Stale prospects: flagged after SALES_STALE_AFTER_DAYS without sales activity (a read,
see `sales.selectors`), recycled to marketing after SALES_RECYCLE_AFTER_DAYS (here)."""

from datetime import datetime

from django.conf import settings
from django.utils import timezone

from funnel.services import leads_move_bulk
from funnel.stages import Cause, Stage
from leads.models import Prospect
from sales.expressions import lead_quiet_since, quiet_before


def stale_prospects_recycle(*, now: datetime | None = None) -> list[int]:
    """Move prospects quiet for SALES_RECYCLE_AFTER_DAYS back to lead (cause `task`),
    set-based through the one writer. 0 disables it. Returns the ids moved; a second run
    finds nothing left to move."""
    days = settings.SALES_RECYCLE_AFTER_DAYS
    if days <= 0:
        return []
    now = now or timezone.now()
    candidates = Prospect.objects.annotate(quiet_since=lead_quiet_since()).filter(
        quiet_before(now=now, days=days)
    )
    return leads_move_bulk(
        candidates=candidates,
        to_stage=Stage.LEAD,
        cause=Cause.TASK,
        reason=f"No sales activity for {days} days: recycled to marketing.",
    )
