"""Dashboard tables and charts for money: campaign ROI (marketing.metrics) and quota
attainment (sales.selectors), built from those apps' selector output without queries."""

from __future__ import annotations

from funnel.dashboard.sections import LAYOUT, STAGE_COLOURS, TOP_LEGEND
from funnel.dashboard.tables import MONEY, RATE, RATIO, TEXT, Column, Table

# ---------- Campaign ROI (marketing.metrics) ----------


def campaign_table(results, totals) -> Table:
    def row(result, label):
        roi = result.roi
        return {
            "label": label,
            "channel": result.campaign.get_channel_display() if result.campaign else "",
            "spend": result.spend,
            "leads": result.leads,
            "prospects": result.prospects,
            "customers": result.customers,
            "cost_per_lead": result.cost_per_lead,
            "cost_per_customer": result.cost_per_customer,
            "revenue_first": result.revenue["first_touch"],
            "revenue_last": result.revenue["last_touch"],
            "revenue_linear": result.revenue["linear"],
            "roi_first": roi["first_touch"],
            "roi_last": roi["last_touch"],
            "roi_linear": roi["linear"],
        }

    rows = [row(r, r.campaign.name if r.campaign else "No campaign") for r in results]
    return Table(
        name="campaigns",
        title="Campaign ROI",
        # The headline figures (spend, linear revenue and ROI, as in the chart) come first,
        # so they are on screen on a laptop; the other models and the counts scroll.
        columns=[
            Column("label", "Campaign", TEXT),
            Column("spend", "Spend", MONEY),
            Column("revenue_linear", "Revenue (linear)", MONEY),
            Column("roi_linear", "ROI (linear)", RATIO),
            Column("leads", "Leads"),
            Column("prospects", "Prospects"),
            Column("customers", "Customers"),
            Column("cost_per_lead", "Cost per lead", MONEY),
            Column("cost_per_customer", "Cost per customer", MONEY),
            Column("revenue_first", "Revenue (first touch)", MONEY),
            Column("roi_first", "ROI (first touch)", RATIO),
            Column("revenue_last", "Revenue (last touch)", MONEY),
            Column("roi_last", "ROI (last touch)", RATIO),
            Column("channel", "Channel", TEXT),
        ],
        rows=rows,
        footer=row(totals, "All campaigns"),
        sortable=True,
        note=(
            "Spend with a day in the window; revenue of deals won in the window, credited "
            "to campaigns three ways; ROI = (revenue - spend) ÷ spend."
        ),
    )


def campaign_chart(table: Table) -> dict:
    rows = [r for r in table.rows if r["spend"] or r["revenue_linear"]][:25]
    labels = [r["label"] for r in rows]
    return {
        "data": [
            {
                "type": "bar",
                "name": "Spend",
                "x": labels,
                "y": [float(r["spend"]) for r in rows],
                "marker": {"color": "#8c95a4"},
            },
            {
                "type": "bar",
                "name": "Revenue (linear)",
                "x": labels,
                "y": [float(r["revenue_linear"]) for r in rows],
                "marker": {"color": STAGE_COLOURS["customer"]},
            },
        ],
        "layout": {
            **LAYOUT,
            "barmode": "group",
            # The bottom margin grows with the names' slant (automargin), no further.
            "xaxis": {"automargin": True},
            "margin": {"l": 64, "r": 16, "t": 36, "b": 48},
            "legend": TOP_LEGEND,
        },
    }


# ---------- Quota attainment (sales.selectors) ----------


def quota_table(board, *, owner_id: int | None) -> Table:
    def row(label, quota, progress):
        return {
            "label": label,
            "target": progress.target,
            "won": progress.won,
            "attainment": progress.attainment,
            "gap": progress.gap,
            "pace": progress.pace,
        }

    rows = [
        row(r.rep.get_full_name() or r.rep.get_username(), r.quota, r.progress)
        for r in board.rows
        if owner_id is None or r.rep.pk == owner_id
    ]
    return Table(
        name="quotas",
        title=f"Quota attainment, {board.period.label()}",
        columns=[
            Column("label", "Rep", TEXT),
            Column("target", "Target", MONEY),
            Column("won", "Won", MONEY),
            Column("attainment", "Attainment", RATE, shade=True),
            Column("gap", "Still to win", MONEY),
            Column("pace", "Pace", RATE),
        ],
        rows=rows,
        footer=row("Team", board.team_quota, board.team),
        sortable=True,
        note=(
            "Won deal amounts with a close date in the period, divided by the target; pace "
            "compares them with the share of the period gone by."
        ),
    )


def quota_chart(table: Table) -> dict:
    labels = [r["label"] for r in table.rows]
    return {
        "data": [
            {
                "type": "bar",
                "x": labels,
                "y": [r["attainment"] for r in table.rows],
                "name": "Attainment",
                "marker": {"color": STAGE_COLOURS["customer"]},
            }
        ],
        "layout": {
            **LAYOUT,
            "yaxis": {"tickformat": ".0%", "rangemode": "tozero"},
            "shapes": [
                {
                    "type": "line",
                    "xref": "paper",
                    "x0": 0,
                    "x1": 1,
                    "y0": 1,
                    "y1": 1,
                    "line": {"color": "#b42318", "dash": "dash"},
                }
            ],
            # The bottom margin grows with the names' slant (automargin), no further.
            "xaxis": {"automargin": True},
            "margin": {"l": 56, "r": 16, "t": 36, "b": 48},
            "legend": TOP_LEGEND,
        },
    }
