"""Manager dashboard pages: thin views that read the filters, call selectors and render.

Four tabs share one filter bar (date preset or custom range, campaign, channel, rep) whose
values live in the URL, so any view can be bookmarked or shared. `?export=<table>` on any
tab downloads that table as CSV.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.template.defaultfilters import pluralize
from django.urls import reverse

from funnel.dashboard import sections, sections_pipeline, sections_revenue
from funnel.dashboard.forms import DashboardFilterForm
from funnel.metrics.grouping import GroupBy
from funnel.metrics.selectors import funnel_report
from funnel.metrics.window import PRESETS, site_today
from funnel.roles import is_manager
from leads.selectors import lead_owner_scope, leads_visible_to

TABS = [
    ("overview", "Overview", "dashboard"),
    ("breakdown", "Breakdown", "dashboard-breakdown"),
    ("campaigns", "Campaign ROI", "dashboard-campaigns"),
    ("quotas", "Quotas", "dashboard-quotas"),
    ("forecast", "Forecast", "dashboard-forecast"),
]
FILTER_PARAMS = ("preset", "since", "until", "campaign", "channel", "owner")
BREAKDOWNS = [("campaign", "Campaign"), ("channel", "Channel"), ("owner", "Rep")]
QUOTA_PERIODS = [("month", "Month"), ("quarter", "Quarter")]


def manager_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not is_manager(request.user):
            raise PermissionDenied("The dashboards are for managers.")
        return view(request, *args, **kwargs)

    return wrapper


def _filters(request) -> DashboardFilterForm:
    # Always bound: no parameters at all means the default preset, not an empty form.
    return DashboardFilterForm(request.GET)


def _query(request, *, keep=FILTER_PARAMS, **changes) -> str:
    params = request.GET.copy()
    for name in list(params):
        if name not in keep:
            del params[name]
    for name, value in changes.items():
        params.pop(name, None)
        if value is not None:
            params[name] = value
    return params.urlencode()


def _render(
    request,
    *,
    tab: str,
    form: DashboardFilterForm,
    tables: list,
    charts: list,
    template: str,
    **context,
):
    export = request.GET.get("export")
    if export is not None:
        table = next((t for t in tables if t.name == export), None)
        if table is None:
            raise Http404("No such table on this page.")
        window = form.window
        return table.csv_response(filename_hint=f"{window.since}-{window.until}")
    filter_query = _query(request)
    page_params = (*FILTER_PARAMS, *context.get("page_params", ()))
    page_query = _query(request, keep=page_params)
    window = form.window
    preset = form.current_preset
    return render(
        request,
        template,
        {
            "form": form,
            "window": window,
            "tab": tab,
            "tabs": [
                {
                    "key": key,
                    "label": label,
                    "url": f"{reverse(name)}?{filter_query}",
                    "current": key == tab,
                }
                for key, label, name in TABS
            ],
            "presets": [
                {
                    "label": label,
                    "current": key == preset,
                    "url": "?"
                    + _query(request, keep=page_params, preset=key, since=None, until=None),
                }
                for key, label in PRESETS
            ],
            "page_query": page_query,
            "tables": tables,
            "charts": charts,
            "time_zone": settings.TIME_ZONE,
            **context,
        },
    )


@manager_required
def overview(request):
    form = _filters(request)
    report = funnel_report(
        window=form.window,
        group_by=GroupBy.MONTH,
        filters=form.metric_filters,
        leads=leads_visible_to(request.user),
        owner_scope=lead_owner_scope(request.user),
    )
    tables = [
        sections.funnel_table(report.totals),
        sections.cohort_table(report),
        sections.velocity_table(report),
        sections.flow_table(report),
    ]
    charts = [
        {"id": "chart-funnel", "spec": sections.funnel_chart(report.totals)},
        {"id": "chart-cohorts", "spec": sections.cohort_chart(report)},
        {"id": "chart-velocity", "spec": sections.velocity_chart(report)},
    ]
    totals = report.totals
    rates = totals.rates
    of_leads = f"of {totals.cohort:,} lead{pluralize(totals.cohort)}"
    rate_tiles = [
        {
            "label": "Lead → prospect",
            "stage": "prospect",
            "value": rates["lead_to_prospect"],
            "sub": f"{totals.reached['prospect']:,} {of_leads}",
        },
        {
            "label": "Prospect → customer",
            "stage": "customer",
            "value": rates["prospect_to_customer"],
            "sub": (
                f"{totals.reached['customer']:,} of {totals.reached['prospect']:,} "
                f"prospect{pluralize(totals.reached['prospect'])}"
            ),
        },
        {
            "label": "Lead → customer",
            "stage": "customer",
            "value": rates["lead_to_customer"],
            "sub": f"{totals.reached['customer']:,} {of_leads}",
        },
    ]
    velocity_tiles = []
    for stage in ("lead", "prospect"):
        time = totals.time_in_stage[stage]
        velocity_tiles += [
            {
                "label": f"Median days as {stage}",
                "stage": stage,
                "value": time.median_days,
                "sub": f"over {time.moves:,} move{pluralize(time.moves)} out of {stage}",
            },
            {
                "label": f"90th percentile days as {stage}",
                "stage": stage,
                "value": time.p90_days,
                "sub": f"9 in 10 left {stage} sooner",
            },
        ]
    return _render(
        request,
        tab="overview",
        form=form,
        tables=tables,
        charts=charts,
        template="funnel/dashboard.html",
        report=report,
        rate_tiles=rate_tiles,
        velocity_tiles=velocity_tiles,
    )


@manager_required
def breakdown(request):
    form = _filters(request)
    by = request.GET.get("by")
    by = by if by in dict(BREAKDOWNS) else "campaign"
    report = funnel_report(
        window=form.window,
        group_by=GroupBy(by),
        filters=form.metric_filters,
        leads=leads_visible_to(request.user),
        owner_scope=lead_owner_scope(request.user),
    )
    table = sections.breakdown_table(report, by=by).sorted_by(request.GET.get("sort", "-cohort"))
    return _render(
        request,
        tab="breakdown",
        form=form,
        tables=[table],
        charts=[{"id": "chart-breakdown", "spec": sections.breakdown_chart(table)}],
        template="funnel/dashboard_breakdown.html",
        report=report,
        by=by,
        page_params=("by", "sort"),
        breakdowns=[
            {"label": label, "current": key == by, "url": f"?{_query(request, by=key)}"}
            for key, label in BREAKDOWNS
        ],
        sort_query=_query(request, keep=(*FILTER_PARAMS, "by")),
    )


@manager_required
def campaigns(request):
    from marketing.metrics import campaign_results
    from marketing.models import Campaign

    form = _filters(request)
    filters = form.metric_filters
    listed = Campaign.objects.all()
    if filters.campaign_id is not None:
        listed = listed.filter(pk=filters.campaign_id)
    if filters.channel:
        listed = listed.filter(channel=filters.channel)
    results, totals = campaign_results(
        window=form.window, campaigns=listed, include_none=filters.is_empty()
    )
    table = sections_revenue.campaign_table(results, totals).sorted_by(
        request.GET.get("sort", "-spend")
    )
    return _render(
        request,
        tab="campaigns",
        form=form,
        tables=[table],
        charts=[{"id": "chart-campaigns", "spec": sections_revenue.campaign_chart(table)}],
        template="funnel/dashboard_campaigns.html",
        results=results,
        totals=totals,
        page_params=("sort",),
        sort_query=_query(request),
        owner_ignored=filters.owner_id is not None,
    )


@manager_required
def quotas(request):
    from sales.periods import period_containing
    from sales.selectors import quota_board

    form = _filters(request)
    kind = request.GET.get("period")
    kind = kind if kind in dict(QUOTA_PERIODS) else "month"
    period = period_containing(kind, form.window.until)
    board = quota_board(period=period, today=site_today())
    table = sections_revenue.quota_table(board, owner_id=form.metric_filters.owner_id).sorted_by(
        request.GET.get("sort", "-attainment")
    )
    return _render(
        request,
        tab="quotas",
        form=form,
        tables=[table],
        charts=[{"id": "chart-quotas", "spec": sections_revenue.quota_chart(table)}],
        template="funnel/dashboard_quotas.html",
        board=board,
        period=period,
        page_params=("period", "sort"),
        sort_query=_query(request, keep=(*FILTER_PARAMS, "period")),
        periods=[
            {"label": label, "current": key == kind, "url": f"?{_query(request, period=key)}"}
            for key, label in QUOTA_PERIODS
        ],
    )


@manager_required
def forecast(request):
    """Forecast against quota for the period holding the window's last day, its weekly
    snapshots (the team's, or the filtered rep's), and the pipeline metrics of the window."""
    from sales.periods import period_containing
    from sales.pipeline.forecast import forecast as forecast_of
    from sales.pipeline.forecast import forecast_history
    from sales.pipeline.metrics import pipeline_metrics
    from sales.pipeline.stages import pipeline_default, stages_of
    from sales.teams.selectors import team_member_ids

    form = _filters(request)
    kind = request.GET.get("period")
    kind = kind if kind in dict(QUOTA_PERIODS) else "quarter"
    period = period_containing(kind, form.window.until)
    owner_id = form.metric_filters.owner_id
    result = forecast_of(period=period)
    # A team picked under "Team" narrows the reps and the metrics to its reps and shows
    # its snapshots; a rep filter wins over it.
    team = next((t for t in result.teams if str(t.team_id) == request.GET.get("team")), None)
    team_id = team.team_id if team and not owner_id else None
    members = team_member_ids(team_id) if team_id else None
    lines = forecast_history(period=period, owner_id=owner_id, team_id=team_id, current=result)
    who = next((r.label for r in result.rows if r.owner_id == owner_id), None)
    who = who or (team.label if team_id else "the whole team")
    figures = pipeline_metrics(
        stages=stages_of(pipeline_default()),
        window=form.window,
        owner_ids=[owner_id] if owner_id else members,
    )
    table = sections_pipeline.forecast_table(result, owner_id=owner_id, members=members).sorted_by(
        request.GET.get("sort", "label")
    )
    return _render(
        request,
        tab="forecast",
        form=form,
        tables=[
            table,
            sections_pipeline.team_table(result),
            sections_pipeline.snapshot_table(lines, who=who),
            sections_pipeline.pipeline_table(figures),
        ],
        charts=[],
        template="funnel/dashboard_forecast.html",
        period=period,
        page_params=("period", "sort", "team"),
        sort_query=_query(request, keep=(*FILTER_PARAMS, "period")),
        periods=[
            {"label": label, "current": key == kind, "url": f"?{_query(request, period=key)}"}
            for key, label in QUOTA_PERIODS
        ],
        history_of=[
            {
                "label": row.label,
                "current": row.team_id == team_id,
                "url": "?"
                + _query(request, keep=(*FILTER_PARAMS, "period"), team=row.team_id or None),
            }
            for row in [result.team, *result.teams]
        ]
        if not owner_id
        else [],
    )
