"""The funnel's figures, aggregated in SQL.

`funnel_report` runs three queries whatever the data size: the cohort (per group), the
moves (per group and in total, in one statement: percentiles do not add up over groups)
and the group labels. Cohort figures count the milestone columns the one writer keeps on
the lead (first arrival in each stage); time in stage reads
`StageChange.from_stage_entered_at`. On PostgreSQL the moves are grouped with GROUPING
SETS in a single scan; SQLite (the embedded default) runs the same figures as a UNION.
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from funnel.metrics.aggregates import DaysBetween, PercentileCont
from funnel.metrics.figures import (
    MILESTONE_COLUMNS,
    STAGE_CODES,
    STAGES,
    Figures,
    FunnelReport,
    Group,
    StageTime,
)
from funnel.metrics.grouping import (
    GroupBy,
    MetricFilters,
    group_expression,
    group_key,
    group_labels,
    month_keys,
)
from funnel.metrics.keyed_read import keyed_dimension, keyed_figures
from funnel.metrics.rollup_read import rollup_figures, rollup_usable
from funnel.metrics.rollup_refresh import rollups_supported
from funnel.metrics.sql import fetch_rows
from funnel.metrics.window import Window
from funnel.models import StageChange
from leads.models import Lead


def funnel_report(
    *,
    window: Window,
    group_by: GroupBy | None = None,
    filters: MetricFilters | None = None,
    leads: QuerySet[Lead] | None = None,
    owner_scope: tuple[int | None, ...] | None = None,
) -> FunnelReport:
    """Every funnel figure for `window`, in total and per group.

    `leads` is the caller's visible leads (leads.selectors.leads_visible_to); None means
    all leads. `owner_scope` says the same as owners (leads.selectors.lead_owner_scope:
    None for every lead, else the owners, None meaning unassigned), so the keyed summaries
    can serve a rep; without it a narrowed `leads` is read live. `filters` narrow by the
    lead's campaign, channel or owner.
    """
    filters = filters or MetricFilters()
    scope = leads if leads is not None and leads.query.has_filters() else None
    owners = owner_scope if scope is not None else None
    dim = None
    if rollups_supported() and (scope is None or owners is not None):
        dim = keyed_dimension(group_by=group_by, filters=filters, owner_scope=owners)
    if scope is not None and scope.query.is_empty():
        # Someone who may see no lead: every figure is zero or null, no query needed.
        grouped_moves, total_moves, cohorts = {}, None, {}
    elif rollup_usable(
        group_by=group_by, filtered=not filters.is_empty(), scoped=scope is not None
    ):
        with _one_snapshot():
            from_rollups = rollup_figures(window=window, group_by=group_by)
            if from_rollups is None:  # not built yet (or built for another time zone)
                grouped_moves, total_moves, cohorts = _live_figures(window, group_by, filters)
            else:
                cohorts, grouped_moves, total_moves = from_rollups
    elif dim is not None:
        with _one_snapshot():
            keyed = keyed_figures(
                window=window, group_by=group_by, dim=dim, filters=filters, owner_scope=owners
            )
            if keyed is None:  # not built yet (or built for another time zone)
                grouped_moves, total_moves, cohorts = _live_figures(
                    window, group_by, filters, scope
                )
            else:
                cohorts, grouped_moves, total_moves = keyed
    else:
        grouped_moves, total_moves, cohorts = _live_figures(window, group_by, filters, scope)

    if group_by is None:
        totals = cohorts.get(None, Figures())
        _merge_moves(totals, total_moves)
        groups: list[Group] = []
    else:
        keys = set(cohorts) | set(grouped_moves)
        ordered = month_keys(window) if group_by == GroupBy.MONTH else sorted(keys)
        labels = group_labels(group_by, ordered)
        groups = []
        totals = Figures()
        for key in ordered:
            figures = cohorts.get(key, Figures())
            _merge_moves(figures, grouped_moves.get(key))
            totals.add_counts(figures)
            groups.append(Group(key=key, label=labels.get(key, key), figures=figures))
        if group_by != GroupBy.MONTH:
            groups.sort(key=lambda g: (g.key == "none", g.label.lower(), g.key))
        # Flow adds up over groups; percentiles come from their own grouping set.
        if total_moves is not None:
            totals.time_in_stage = total_moves.time_in_stage

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


def _live_figures(window, group_by, filters, scope=None):
    grouped_moves, total_moves = _move_figures(
        window=window, group_by=group_by, filters=filters, scope=scope
    )
    cohorts = _cohort_figures(window=window, group_by=group_by, filters=filters, scope=scope)
    return grouped_moves, total_moves, cohorts


@contextmanager
def _one_snapshot():
    """Every statement of a report sees the same data (rollups, dirty notes and live rows
    must agree): one REPEATABLE READ, read-only transaction, unless the caller already
    has a transaction open."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _cohort_figures(
    *, window: Window, group_by: GroupBy | None, filters: MetricFilters, scope
) -> dict[str | None, Figures]:
    leads = Lead.objects.filter(created_at__gte=window.start, created_at__lt=window.end)
    leads = leads.filter(filters.lead_q())
    if scope is not None:
        leads = leads.filter(pk__in=scope.values("pk"))
    aggregates = {"cohort": Count("pk")}
    for stage in STAGES:
        aggregates[f"reached_{stage}"] = Count(MILESTONE_COLUMNS[stage])
    key = (
        Value(None, output_field=IntegerField())
        if group_by is None
        else group_expression(group_by, time_field="created_at", window=window)
    )
    rows = _run(leads.annotate(key=key).values("key").annotate(**aggregates).order_by())

    result: dict[str | None, Figures] = {}
    for row in rows:
        if group_by is None and not row["cohort"]:
            continue
        figures = Figures(cohort=row["cohort"])
        figures.reached = {stage: row[f"reached_{stage}"] for stage in STAGES}
        result[None if group_by is None else group_key(group_by, row["key"], window=window)] = (
            figures
        )
    return result


def _move_figures(
    *, window: Window, group_by: GroupBy | None, filters: MetricFilters, scope
) -> tuple[dict[str, Figures], Figures | None]:
    """Flow into each stage and time in each stage left, from the window's moves: per
    group and in total, from one statement. Rows come per (group, stage left); flow into a
    stage is a conditional count, summed over the stages left."""
    changes = StageChange.objects.filter(at__gte=window.start, at__lt=window.end)
    changes = changes.filter(filters.lead_q("lead__"))
    if scope is not None:
        changes = changes.filter(lead__in=scope.values("pk"))
    key = (
        Value(None, output_field=IntegerField())
        if group_by is None
        else group_expression(group_by, time_field="at", window=window, prefix="lead__")
    )
    changes = changes.annotate(
        key=key,
        # Integers sort faster than text, and the sort is most of the query's time.
        stage_code=Case(
            *(When(from_stage=stage, then=Value(code)) for stage, code in STAGE_CODES.items()),
            output_field=IntegerField(),
        ),
        into_code=Case(
            *(When(to_stage=stage, then=Value(code)) for stage, code in STAGE_CODES.items()),
            output_field=IntegerField(),
        ),
        days=DaysBetween("from_stage_entered_at", "at"),
    )
    if connection.vendor == "postgresql":
        rows = _moves_postgres(changes, grouped=group_by is not None)
    else:
        rows = _moves_portable(changes, grouped=group_by is not None)

    grouped: dict[str, Figures] = defaultdict(Figures)
    totals: Figures | None = None
    for row in rows:
        if row["is_total"]:
            totals = totals or Figures()
            figures = totals
        else:
            figures = grouped[group_key(group_by, row["key"], window=window)]
        stage = STAGES[row["stage_code"]]
        figures.time_in_stage[stage] = StageTime(
            moves=row["moves"], median_days=row["median_days"], p90_days=row["p90_days"]
        )
        for into in STAGES:
            figures.flow[into] += row[f"into_{into}"]
    return dict(grouped), totals


def _flow_counts() -> str:
    return ", ".join(
        f"COUNT(*) FILTER (WHERE into_code = {code}) AS into_{stage}"
        for stage, code in STAGE_CODES.items()
    )


def _moves_postgres(changes: QuerySet, *, grouped: bool) -> list[dict]:
    # order_by(): no ORDER BY from StageChange.Meta.ordering inside the subquery.
    inner, params = (
        changes.values("stage_code", "key", "days", "into_code").order_by().query.sql_with_params()
    )
    grouping = "GROUPING SETS ((stage_code, key), (stage_code))" if grouped else "stage_code"
    heading = "stage_code, key, GROUPING(key) = 1" if grouped else "stage_code, NULL AS key, TRUE"
    sql = (
        f"SELECT {heading} AS is_total, "
        "COUNT(*) AS moves, "
        "percentile_cont(ARRAY[0.5, 0.9]::float8[]) WITHIN GROUP (ORDER BY days) AS pct, "
        f"{_flow_counts()} FROM ({inner}) AS moves GROUP BY {grouping}"
    )
    rows = fetch_rows(sql, params)
    for row in rows:
        row["median_days"], row["p90_days"] = row.pop("pct")
    return rows


def _moves_portable(changes: QuerySet, *, grouped: bool) -> list[dict]:
    aggregates = {
        "moves": Count("pk"),
        "median_days": PercentileCont("days", 0.5),
        "p90_days": PercentileCont("days", 0.9),
        **{f"into_{stage}": Count("pk", filter=Q(to_stage=stage)) for stage in STAGES},
    }

    def by(is_total: bool) -> QuerySet:
        rows = changes.annotate(is_total=Value(is_total))
        if is_total:
            rows = rows.annotate(key=Value(None, output_field=IntegerField()))
        return rows.values("stage_code", "key", "is_total").annotate(**aggregates).order_by()

    if not grouped:
        return list(by(True))
    return list(by(False).union(by(True), all=True))


def _run(queryset: QuerySet) -> list[dict]:
    if connection.vendor == "postgresql":
        return fetch_rows(*queryset.query.sql_with_params())
    return list(queryset)


def _merge_moves(figures: Figures, moves: Figures | None) -> None:
    if moves is not None:
        figures.flow = moves.flow
        figures.time_in_stage = moves.time_in_stage
