"""The dashboard's tables and charts, built from selector output (no queries here).

Charts are plotly.js figure specs (plain dicts, rendered in the browser by the plotly.js
that ships with the pinned `plotly` package); every chart has a table with the same
figures beside it, which is also what the CSV export writes.
"""

from __future__ import annotations

from funnel.dashboard.tables import DAYS, RATE, TEXT, Column, Table
from funnel.metrics.figures import Figures, FunnelReport, rate

STAGE_COLOURS = {
    "lead": "#3b7bf0",
    "prospect": "#e48a13",
    "customer": "#1f9d5b",
    "disqualified": "#8c95a4",
    "lost": "#e2483d",
}
LAYOUT = {
    "margin": {"l": 48, "r": 16, "t": 8, "b": 40},
    "paper_bgcolor": "rgba(0,0,0,0)",
    "plot_bgcolor": "rgba(0,0,0,0)",
    "font": {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 12},
    "legend": {"orientation": "h", "y": -0.2},
    "hovermode": "x unified",
}
# Charts with long, slanted category labels keep the legend above the plot.
# Anchored by its bottom edge, a legend that wraps on a phone grows upwards (plotly widens
# the top margin to fit it) instead of down over the plot.
TOP_LEGEND = {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"}
# Months on a date axis: plotly thins the labels to fit the width (each month on a laptop,
# every few on a phone) rather than turning twelve of them on end into the legend.
MONTH_AXIS = {
    "type": "date",
    "tickformat": "%b %Y",
    "hoverformat": "%B %Y",
    "ticklabelmode": "period",
    "showgrid": False,
    "automargin": True,
}
# Each point stands for its whole month: drawn mid-month, between the month's ticks.
MONTH_POINTS = {"xperiod": "M1", "xperiodalignment": "middle"}


def month_dates(report: FunnelReport) -> list[str]:
    """Group keys ("2025-12") as the first day of their month, for a date axis."""
    return [f"{g.key}-01" for g in report.groups]


def count_step(top: float) -> int:
    """A whole-number tick step (1, 2, 5, 10, 20, ...) giving at most five steps to `top`:
    a count axis never shows 1.93 leads."""
    magnitude = 1
    while True:
        for step in (magnitude, 2 * magnitude, 5 * magnitude):
            if top <= 5 * step:
                return step
        magnitude *= 10


# ---------- Overview: funnel, cohorts, velocity, flow ----------


def funnel_table(totals: Figures) -> Table:
    reached = totals.reached
    steps = [
        ("Leads", totals.cohort),
        ("Prospects", reached["prospect"]),
        ("Customers", reached["customer"]),
    ]
    rows, previous = [], None
    for label, count in steps:
        rows.append(
            {
                "label": label,
                "count": count,
                "of_cohort": rate(count, totals.cohort),
                "from_previous": None if previous is None else rate(count, previous),
                "drop_off": None if previous is None or not previous else 1 - count / previous,
            }
        )
        previous = count
    for label, stage in (
        ("Disqualified", "disqualified"),
        ("Lost", "lost"),
        ("Back to lead", "lead"),
    ):
        rows.append(
            {
                "label": label,
                "count": reached[stage],
                "of_cohort": rate(reached[stage], totals.cohort),
            }
        )
    return Table(
        name="funnel",
        title="Funnel",
        columns=[
            Column("label", "Stage", TEXT),
            Column("count", "Reached"),
            Column("of_cohort", "Of leads", RATE),
            Column("from_previous", "From previous stage", RATE),
            Column("drop_off", "Drop-off", RATE),
        ],
        rows=rows,
        note="Leads created in the window and how far they have got since (at any time).",
    )


def funnel_chart(totals: Figures) -> dict:
    stages = [
        ("Leads", totals.cohort, "lead"),
        ("Prospects", totals.reached["prospect"], "prospect"),
        ("Customers", totals.reached["customer"], "customer"),
    ]
    widest = max(totals.cohort, 1)
    # Horizontal bars, widest on top: the funnel shape without plotly's `funnel` trace,
    # which only the full (4.8 MB) plotly.js bundle has.
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": [label for label, _, _ in stages],
                "x": [count for _, count, _ in stages],
                # Short enough to sit beside the narrowest bar on a phone; the table and
                # the rate tiles beside the chart carry the step-by-step rates.
                "text": [
                    f"{count:,} ({count / widest:.0%})" if totals.cohort else f"{count:,}"
                    for _, count, _ in stages
                ],
                "texttemplate": "%{text}",
                # A narrow bar gets its figure beside it, at full size, not shrunk inside.
                "textposition": [
                    "inside" if count / widest >= 0.3 else "outside" for _, count, _ in stages
                ],
                "insidetextanchor": "middle",
                "cliponaxis": False,
                "marker": {"color": [STAGE_COLOURS[s] for _, _, s in stages]},
                "hoverinfo": "skip",
            }
        ],
        "layout": {
            **LAYOUT,
            "margin": {"l": 90, "r": 16, "t": 8, "b": 8},
            "hovermode": False,
            "bargap": 0.25,
            "xaxis": {"visible": False, "rangemode": "tozero"},
            "yaxis": {"autorange": "reversed", "fixedrange": True},
        },
    }


def cohort_table(report: FunnelReport) -> Table:
    def row(key, label, figures: Figures):
        rates = figures.rates
        return {
            "key": key,
            "label": label,
            "cohort": figures.cohort,
            "prospects": figures.reached["prospect"],
            "lead_to_prospect": rates["lead_to_prospect"],
            "customers": figures.reached["customer"],
            "lead_to_customer": rates["lead_to_customer"],
            "prospect_to_customer": rates["prospect_to_customer"],
        }

    return Table(
        name="cohorts",
        title="Cohorts by month",
        columns=[
            Column("label", "Created in", TEXT),
            Column("cohort", "Leads"),
            Column("prospects", "Reached prospect"),
            Column("lead_to_prospect", "Lead → prospect", RATE, shade=True),
            Column("customers", "Reached customer"),
            Column("lead_to_customer", "Lead → customer", RATE, shade=True),
            Column("prospect_to_customer", "Prospect → customer", RATE, shade=True),
        ],
        rows=[row(g.key, g.label, g.figures) for g in report.groups],
        footer=row(None, "Whole window", report.totals),
        note="Each month's new leads and the share that has reached each stage so far.",
    )


def cohort_chart(report: FunnelReport) -> dict:
    months = month_dates(report)
    counts = [g.figures.cohort for g in report.groups]
    top = max(counts, default=0) or 1
    rate_line = {"type": "scatter", "mode": "lines+markers", "x": months, "yaxis": "y2"}
    return {
        # plotly draws an overlaying axis's traces on top: the bars (counts) sit on the
        # base axis so the rate lines stay visible over them.
        "data": [
            {
                "type": "bar",
                "name": "Leads created",
                "x": months,
                "y": counts,
                "marker": {"color": "#dbe3f8"},
                **MONTH_POINTS,
            },
            {
                **rate_line,
                "name": "Lead → prospect",
                "y": [g.figures.rates["lead_to_prospect"] for g in report.groups],
                "line": {"color": STAGE_COLOURS["prospect"]},
                **MONTH_POINTS,
            },
            {
                **rate_line,
                "name": "Lead → customer",
                "y": [g.figures.rates["lead_to_customer"] for g in report.groups],
                "line": {"color": STAGE_COLOURS["customer"]},
                **MONTH_POINTS,
            },
        ],
        "layout": {
            **LAYOUT,
            "xaxis": MONTH_AXIS,
            # Headroom over the tallest bar, whole-number ticks.
            "yaxis": {
                "side": "right",
                "showgrid": False,
                "range": [0, top * 1.25],
                "dtick": count_step(top),
                "tickformat": ",d",
                "title": {"text": "Leads"},
            },
            "yaxis2": {
                "overlaying": "y",
                "side": "left",
                "range": [0, 1.05],
                "dtick": 0.25,
                "tickformat": ".0%",
                "title": {"text": "Rate"},
            },
            "legend": TOP_LEGEND,
            "margin": {"l": 56, "r": 56, "t": 36, "b": 40},
        },
    }


def velocity_table(report: FunnelReport) -> Table:
    def row(key, label, figures: Figures):
        lead, prospect = figures.time_in_stage["lead"], figures.time_in_stage["prospect"]
        return {
            "key": key,
            "label": label,
            "lead_moves": lead.moves,
            "lead_median": lead.median_days,
            "lead_p90": lead.p90_days,
            "prospect_moves": prospect.moves,
            "prospect_median": prospect.median_days,
            "prospect_p90": prospect.p90_days,
        }

    return Table(
        name="velocity",
        title="Time in stage by month",
        columns=[
            Column("label", "Month", TEXT),
            Column("lead_moves", "Left lead"),
            Column("lead_median", "Lead: median days", DAYS),
            Column("lead_p90", "Lead: 90th pct days", DAYS),
            Column("prospect_moves", "Left prospect"),
            Column("prospect_median", "Prospect: median days", DAYS),
            Column("prospect_p90", "Prospect: 90th pct days", DAYS),
        ],
        rows=[row(g.key, g.label, g.figures) for g in report.groups],
        footer=row(None, "Whole window", report.totals),
        note="Days from entering a stage to leaving it, for moves out of it in each month.",
    )


def velocity_chart(report: FunnelReport) -> dict:
    months = month_dates(report)
    data = []
    for stage in ("lead", "prospect"):
        for key, dash, name in (
            ("median_days", "solid", "median"),
            ("p90_days", "dot", "90th pct"),
        ):
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "x": months,
                    "name": f"{stage.capitalize()} {name}",
                    "y": [getattr(g.figures.time_in_stage[stage], key) for g in report.groups],
                    "line": {"color": STAGE_COLOURS[stage], "dash": dash},
                    **MONTH_POINTS,
                }
            )
    return {
        "data": data,
        "layout": {
            **LAYOUT,
            "xaxis": MONTH_AXIS,
            "yaxis": {"title": {"text": "Days"}, "rangemode": "tozero"},
            "legend": TOP_LEGEND,
            "margin": {"l": 48, "r": 16, "t": 36, "b": 40},
        },
    }


def flow_table(report: FunnelReport) -> Table:
    def row(key, label, figures: Figures):
        return {"key": key, "label": label, **{f"into_{s}": n for s, n in figures.flow.items()}}

    return Table(
        name="flow",
        title="Moves by month",
        columns=[
            Column("label", "Month", TEXT),
            Column("into_prospect", "Into prospect"),
            Column("into_customer", "Into customer"),
            Column("into_disqualified", "Into disqualified"),
            Column("into_lost", "Into lost"),
            Column("into_lead", "Back to lead"),
        ],
        rows=[row(g.key, g.label, g.figures) for g in report.groups],
        footer=row(None, "Whole window", report.totals),
        note="Stage changes in each month, by any lead (whenever it was created).",
    )


# ---------- Breakdown by campaign, channel or rep ----------

BREAKDOWN_LABELS = {"campaign": "Campaign", "channel": "Channel", "owner": "Rep"}


def breakdown_table(report: FunnelReport, *, by: str) -> Table:
    def row(key, label, figures: Figures):
        rates = figures.rates
        return {
            "key": key,
            "label": label,
            "cohort": figures.cohort,
            "prospects": figures.reached["prospect"],
            "customers": figures.reached["customer"],
            "lead_to_prospect": rates["lead_to_prospect"],
            "prospect_to_customer": rates["prospect_to_customer"],
            "lead_to_customer": rates["lead_to_customer"],
            "won": figures.flow["customer"],
            "lead_median": figures.time_in_stage["lead"].median_days,
            "prospect_median": figures.time_in_stage["prospect"].median_days,
        }

    return Table(
        name=f"breakdown-{by}",
        title=f"By {BREAKDOWN_LABELS[by].lower()}",
        columns=[
            Column("label", BREAKDOWN_LABELS[by], TEXT),
            Column("cohort", "Leads"),
            Column("prospects", "Reached prospect"),
            Column("customers", "Reached customer"),
            Column("lead_to_prospect", "Lead → prospect", RATE, shade=True),
            Column("prospect_to_customer", "Prospect → customer", RATE, shade=True),
            Column("lead_to_customer", "Lead → customer", RATE, shade=True),
            Column("won", "New customers in window"),
            Column("lead_median", "Median days as lead", DAYS),
            Column("prospect_median", "Median days as prospect", DAYS),
        ],
        rows=[row(g.key, g.label, g.figures) for g in report.groups],
        footer=row(None, "All", report.totals),
        sortable=True,
        note=(
            "Leads created in the window, by their source campaign, its channel or their "
            "current rep; moves in the window by the moving lead's."
        ),
    )


def breakdown_chart(table: Table) -> dict:
    rows = [r for r in table.rows if r["cohort"]][:25]
    labels = [r["label"] for r in rows]
    return {
        "data": [
            {
                "type": "bar",
                "name": name,
                "x": labels,
                "y": [r[key] for r in rows],
                "marker": {"color": STAGE_COLOURS[stage]},
            }
            for key, name, stage in (
                ("cohort", "Leads", "lead"),
                ("prospects", "Reached prospect", "prospect"),
                ("customers", "Reached customer", "customer"),
            )
        ],
        "layout": {
            **LAYOUT,
            "barmode": "group",
            # The bottom margin grows with the names' slant (automargin), no further.
            "xaxis": {"automargin": True},
            "margin": {"l": 56, "r": 16, "t": 36, "b": 48},
            "legend": TOP_LEGEND,
        },
    }
