"""The funnel's figures, aggregated in SQL.

`funnel_report` runs at most four queries whatever the data size: cohort (grouped),
moves (grouped), moves (totals, only when grouped: percentiles do not add up) and the
group labels. Cohort figures read the milestone columns the one writer keeps
(`became_prospect_at`, `became_customer_at`); stages without a milestone column use an
EXISTS on history. Time in stage reads `StageChange.from_stage_entered_at`.
"""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from funnel.metrics.aggregates import DaysBetween, PercentileCont
from funnel.metrics.figures import STAGES, Figures, FunnelReport, Group, StageTime
from funnel.metrics.grouping import (
    GroupBy,
    MetricFilters,
    group_expression,
    group_key,
    group_labels,
    month_keys,
)
from funnel.metrics.window import Window
from funnel.models import StageChange
from funnel.stages import Stage
from leads.models import Lead

# Stages whose first arrival is denormalised on the lead (see leads.models.Lead).
MILESTONE_COLUMNS = {
    Stage.PROSPECT.value: "became_prospect_at",
    Stage.CUSTOMER.value: "became_customer_at",
}


def funnel_report(
    *,
    window: Window,
    group_by: GroupBy | None = None,
    filters: MetricFilters | None = None,
    leads: QuerySet[Lead] | None = None,
) -> FunnelReport:
    """Every funnel figure for `window`, in total and per group.

    `leads` is the caller's visible leads (leads.selectors.leads_visible_to); None means
    all leads. `filters` narrow by the lead's campaign, channel or owner.
    """
    filters = filters or MetricFilters()
    scope = leads if leads is not None and leads.query.has_filters() else None
    cohorts = _cohort_figures(window=window, group_by=group_by, filters=filters, scope=scope)
    moves = _move_figures(window=window, group_by=group_by, filters=filters, scope=scope)

    if group_by is None:
        totals = cohorts.get(None, Figures())
        _merge_moves(totals, moves.get(None))
        groups: list[Group] = []
    else:
        keys = set(cohorts) | set(moves)
        if group_by == GroupBy.MONTH:
            ordered = month_keys(window)  # every month, data or not
        else:
            ordered = sorted(keys)
        labels = group_labels(group_by, ordered)
        groups = []
        totals = Figures()
        for key in ordered:
            figures = cohorts.get(key, Figures())
            _merge_moves(figures, moves.get(key))
            totals.add_counts(figures)
            groups.append(Group(key=key, label=labels.get(key, key), figures=figures))
        if group_by != GroupBy.MONTH:
            groups.sort(key=lambda g: (g.key == "none", g.label.lower(), g.key))
        overall = _move_figures(window=window, group_by=None, filters=filters, scope=scope)
        _merge_times(totals, overall.get(None))

    return FunnelReport(
        since=window.since,
        until=window.until,
        time_zone=settings.TIME_ZONE,
        group_by=group_by.value if group_by else None,
        filters={
            "campaign": filters.campaign_id,
            "channel": filters.channel or None,
            "owner": filters.owner_id,
        },
        totals=totals,
        groups=groups,
    )


def _cohort_figures(
    *, window: Window, group_by: GroupBy | None, filters: MetricFilters, scope
) -> dict[str | None, Figures]:
    leads = Lead.objects.filter(created_at__gte=window.start, created_at__lt=window.end)
    leads = leads.filter(filters.lead_q())
    if scope is not None:
        leads = leads.filter(pk__in=scope.values("pk"))
    aggregates = {"cohort": Count("pk")}
    for stage in STAGES:
        column = MILESTONE_COLUMNS.get(stage)
        if column:
            aggregates[f"reached_{stage}"] = Count(column)
        else:
            into = StageChange.objects.filter(lead=OuterRef("pk"), to_stage=stage)
            aggregates[f"reached_{stage}"] = Count("pk", filter=Q(Exists(into)))

    if group_by is None:
        rows = [{"key": None, **leads.aggregate(**aggregates)}]
    else:
        expression = group_expression(group_by, time_field="created_at")
        rows = leads.annotate(key=expression).values("key").annotate(**aggregates).order_by()

    result: dict[str | None, Figures] = {}
    for row in rows:
        key = None if group_by is None else group_key(group_by, row["key"])
        figures = Figures(cohort=row["cohort"] or 0)
        figures.reached = {stage: row[f"reached_{stage}"] or 0 for stage in STAGES}
        result[key] = figures
    return result


def _move_figures(
    *, window: Window, group_by: GroupBy | None, filters: MetricFilters, scope
) -> dict[str | None, Figures]:
    """Flow into each stage and time in each stage left, from the window's moves.

    One scan: rows are grouped by (group, stage left); flow into a stage is a conditional
    count, summed over the stages left."""
    changes = StageChange.objects.filter(at__gte=window.start, at__lt=window.end)
    changes = changes.filter(filters.lead_q("lead__"))
    if scope is not None:
        changes = changes.filter(lead__in=scope.values("pk"))
    days = DaysBetween("from_stage_entered_at", "at")
    aggregates = {
        "moves": Count("pk"),
        "median_days": PercentileCont(days, 0.5),
        "p90_days": PercentileCont(days, 0.9),
        **{f"into_{stage}": Count("pk", filter=Q(to_stage=stage)) for stage in STAGES},
    }
    fields = ["from_stage"]
    if group_by is not None:
        changes = changes.annotate(key=group_expression(group_by, time_field="at", prefix="lead__"))
        fields.append("key")
    rows = changes.values(*fields).annotate(**aggregates).order_by()

    result: dict[str | None, Figures] = defaultdict(Figures)
    for row in rows:
        key = None if group_by is None else group_key(group_by, row["key"])
        figures = result[key]
        figures.time_in_stage[row["from_stage"]] = StageTime(
            moves=row["moves"], median_days=row["median_days"], p90_days=row["p90_days"]
        )
        for stage in STAGES:
            figures.flow[stage] += row[f"into_{stage}"]
    return dict(result)


def _merge_moves(figures: Figures, moves: Figures | None) -> None:
    if moves is not None:
        figures.flow = moves.flow
        figures.time_in_stage = moves.time_in_stage


def _merge_times(figures: Figures, moves: Figures | None) -> None:
    if moves is not None:
        figures.time_in_stage = moves.time_in_stage
