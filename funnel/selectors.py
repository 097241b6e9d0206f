"""Reads of the funnel for the web pages: the pipeline overview and stage history."""

from django.db.models import Count, Q, QuerySet

from funnel.models import StageChange
from funnel.stages import Stage
from leads.models import Lead


def pipeline_counts(*, leads: QuerySet[Lead]) -> dict[Stage, int]:
    """How many of `leads` sit in each stage, in one aggregate query (conditional counts,
    so every stage is present even when empty)."""
    totals = leads.order_by().aggregate(
        **{stage.value: Count("pk", filter=Q(stage=stage.value)) for stage in Stage}
    )
    return {stage: totals[stage.value] for stage in Stage}


def stage_changes_recent(*, leads: QuerySet[Lead], limit: int = 10) -> list[StageChange]:
    """The latest moves of `leads` (already scoped to what the user may see), newest first,
    with the lead and actor joined so a page renders them without further queries."""
    return list(
        StageChange.objects.filter(lead__in=leads.order_by().values("pk"))
        .select_related("lead", "actor")
        .order_by("-at", "-id")[:limit]
    )


def lead_stage_history(*, lead: Lead) -> list[StageChange]:
    """One lead's moves, oldest first, with who made each."""
    return list(StageChange.objects.filter(lead=lead).select_related("actor").order_by("at", "id"))
