"""The breakdowns, filters, a rep's scope and campaign ROI, for benchmarks/funnel_scale.py.

Each view is timed through the Django test client against one hand-written SQL statement
computing the same figures the natural way (moves joined to their leads, the leads joined
to their campaign), in the same run. The live path is the one tests/metrics checks equal
(==) to an independent computation; this only times it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection

from funnel.metrics.figures import STAGES
from funnel.metrics.window import Window
from marketing.models import Campaign

SESSION_TUNING = "SET LOCAL jit = off; SET LOCAL work_mem = '128MB'; "
DAYS = "(date_part('epoch', s.at - s.from_stage_entered_at) / 86400.0)"
KEYS = {
    None: ("NULL::text", "NULL::text"),
    "month": (
        "to_char(l.created_at AT TIME ZONE %(tz)s, 'YYYY-MM')",
        "to_char(s.at AT TIME ZONE %(tz)s, 'YYYY-MM')",
    ),
    "owner": ("l.owner_id::text", "l.owner_id::text"),
    "campaign": ("l.source_campaign_id::text", "l.source_campaign_id::text"),
    "channel": ("nullif(c.channel, '')", "nullif(c.channel, '')"),
}


def hand_written_funnel(group_by: str | None, where: str) -> str:
    """Cohort, reached, flow and time in stage per group and in total, one statement."""
    key_lead, key_move = KEYS[group_by]
    reached = ", ".join(
        f"count({column})"
        for column in (
            "became_prospect_at",
            "became_customer_at",
            "became_disqualified_at",
            "became_lost_at",
            "returned_to_lead_at",
        )
    )
    into = ", ".join(f"count(*) FILTER (WHERE s.to_stage = '{stage}')" for stage in STAGES)
    return f"""
WITH cohort AS (
    SELECT {key_lead} AS key, count(*), {reached}
    FROM leads_lead l LEFT JOIN marketing_campaign c ON c.id = l.source_campaign_id
    WHERE l.created_at >= %(start)s AND l.created_at < %(end)s AND {where}
    GROUP BY ROLLUP (1)
), moves AS (
    SELECT s.from_stage, {key_move} AS key, count(*),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY {DAYS}),
           percentile_cont(0.9) WITHIN GROUP (ORDER BY {DAYS}), {into}
    FROM funnel_stagechange s JOIN leads_lead l ON l.id = s.lead_id
    LEFT JOIN marketing_campaign c ON c.id = l.source_campaign_id
    WHERE s.at >= %(start)s AND s.at < %(end)s AND {where}
    GROUP BY GROUPING SETS ((s.from_stage, 2), (s.from_stage))
)
SELECT 'cohort', NULL, *, NULL::bigint, NULL::bigint FROM cohort
UNION ALL
SELECT 'moves', * FROM moves
"""


HAND_WRITTEN_ROI = """
WITH won AS (
    SELECT d.id, d.lead_id, d.closed_at, l.source_campaign_id AS source,
           d.amount * CASE WHEN d.currency = %(currency)s THEN 1 ELSE (
               SELECT r.rate FROM currencies_exchangerate r
               WHERE r.currency = d.currency AND r.day <= d.closed_on
               ORDER BY r.day DESC LIMIT 1) END AS revenue
    FROM sales_deal d JOIN leads_lead l ON l.id = d.lead_id
    WHERE d.status = 'won' AND d.closed_on >= %(since)s AND d.closed_on <= %(until)s
), credited AS (
    SELECT w.id, t.campaign_id, t.at, t.id AS touch_id,
           count(*) OVER (PARTITION BY w.id) AS touches,
           row_number() OVER (PARTITION BY w.id ORDER BY t.at DESC, t.id DESC) AS latest
    FROM won w JOIN marketing_touch t ON t.lead_id = w.lead_id
    WHERE t.campaign_id IS NOT NULL AND t.at <= w.closed_at
), credits AS (
    SELECT 'first' AS model, source AS campaign, revenue FROM won
    UNION ALL
    SELECT 'last', coalesce(c.campaign_id, w.source), w.revenue
    FROM won w LEFT JOIN credited c ON c.id = w.id AND c.latest = 1
    UNION ALL
    SELECT 'linear', coalesce(c.campaign_id, w.source), w.revenue / coalesce(c.touches, 1)
    FROM won w LEFT JOIN credited c ON c.id = w.id
), cohort AS (
    SELECT source_campaign_id AS campaign, count(*) AS leads,
           count(became_prospect_at) AS prospects, count(became_customer_at) AS customers
    FROM leads_lead WHERE created_at >= %(start)s AND created_at < %(end)s GROUP BY 1
), spend AS (
    SELECT campaign_id AS campaign, sum(amount) AS spend FROM marketing_spend
    WHERE day >= %(since)s AND day <= %(until)s GROUP BY 1
)
SELECT 'credit', model, campaign, sum(revenue), NULL, NULL FROM credits GROUP BY 1, 2, 3
UNION ALL SELECT 'cohort', NULL, campaign, leads, prospects, customers FROM cohort
UNION ALL SELECT 'spend', NULL, campaign, spend, NULL, NULL FROM spend
"""

# funnel migration 0007: the won deals by close date and a lead's credited touches.
WITHOUT_CREDIT_INDEXES = "DROP INDEX touch_credit_idx; DROP INDEX deal_won_closed_idx"


@dataclass
class View:
    name: str
    url: str
    sql: str | None  # None: no hand-written statement to compare with (timed alone).
    params: dict = field(default_factory=dict)
    as_rep: bool = False  # Requested as the rep (their own figures), not the manager.


def _sql_params(window: Window, rep_id: int, campaign: Campaign) -> dict:
    return {
        "tz": settings.TIME_ZONE,
        "start": window.start,
        "end": window.end,
        "since": window.since,
        "until": window.until,
        "owner": rep_id,
        "campaign": campaign.pk,
        "channel": campaign.channel,
        "rep": rep_id,
        "currency": settings.FUNNEL_CURRENCY,
    }


def views(window: Window, rep_id: int, campaign: Campaign) -> list[View]:
    """The issue's views over `window`, then the same kinds over the last 30 days (two
    partial months), then the dashboard tabs and metrics calls that read deals."""
    return [
        *_funnel_views(window, rep_id, campaign),
        *_funnel_views(
            Window(window.until - timedelta(days=29), window.until), rep_id, campaign, short=True
        ),
        *_other_tabs(window),
    ]


def _other_tabs(window: Window) -> list[View]:
    base = urlencode({"since": window.since.isoformat(), "until": window.until.isoformat()})
    window_query = urlencode({"preset": "", "since": window.since, "until": window.until})
    return [
        View("overview tab (/dashboard/)", f"/dashboard/?{window_query}", None),
        View("quotas tab", "/dashboard/quotas/", None),
        View("forecast tab", "/dashboard/forecast/", None),
        View("metrics/quotas/", "/api/v1/metrics/quotas/", None),
        View("metrics/forecast/", "/api/v1/metrics/forecast/", None),
        View("metrics/pipeline/", f"/api/v1/metrics/pipeline/?{base}", None),
    ]


def _funnel_views(
    window: Window, rep_id: int, campaign: Campaign, *, short: bool = False
) -> list[View]:
    base = {"since": window.since.isoformat(), "until": window.until.isoformat()}
    sql_params = _sql_params(window, rep_id, campaign)

    def api(group_by=None, **filters) -> str:
        query = {**base, **({"group_by": group_by} if group_by else {}), **filters}
        return f"/api/v1/metrics/funnel/?{urlencode(query)}"

    def funnel(name, url, group_by, where="TRUE", as_rep=False):
        name = f"{name}, last 30 days" if short else name
        return View(name, url, hand_written_funnel(group_by, where), sql_params, as_rep)

    window_query = urlencode({"preset": "", **base})
    if short:
        return [
            funnel("API by owner", api("owner"), "owner"),
            funnel("API by channel", api("channel"), "channel"),
            funnel(
                "a rep's own figures",
                api("month"),
                "month",
                "(l.owner_id = %(rep)s OR l.owner_id IS NULL)",
                as_rep=True,
            ),
        ]
    return [
        funnel("API by owner", api("owner"), "owner"),
        funnel("breakdown tab by owner", f"/dashboard/breakdown/?by=owner&{window_query}", "owner"),
        funnel("API by campaign", api("campaign"), "campaign"),
        funnel("API by channel", api("channel"), "channel"),
        funnel(
            "a rep's own figures (API by month, as the rep)",
            api("month"),
            "month",
            "(l.owner_id = %(rep)s OR l.owner_id IS NULL)",
            as_rep=True,
        ),
        funnel(
            "API by month, owner + channel filters",
            api("month", owner=rep_id, channel=campaign.channel),
            "month",
            "l.owner_id = %(owner)s AND c.channel = %(channel)s",
        ),
        funnel(
            "API by owner, campaign filter",
            api("owner", campaign=campaign.pk),
            "owner",
            "l.source_campaign_id = %(campaign)s",
        ),
        funnel(
            "API by campaign, owner filter",
            api("campaign", owner=rep_id),
            "campaign",
            "l.owner_id = %(owner)s",
        ),
        funnel(
            "API by month, campaign filter",
            api("month", campaign=campaign.pk),
            "month",
            "l.source_campaign_id = %(campaign)s",
        ),
        funnel(
            "API by month, owner filter",
            api("month", owner=rep_id),
            "month",
            "l.owner_id = %(owner)s",
        ),
        funnel(
            "API by channel, owner filter",
            api("channel", owner=rep_id),
            "channel",
            "l.owner_id = %(owner)s",
        ),
        funnel(
            "a rep's figures by month, campaign filter (as the rep)",
            api("month", campaign=campaign.pk),
            "month",
            "(l.owner_id = %(rep)s OR l.owner_id IS NULL) AND l.source_campaign_id = %(campaign)s",
            as_rep=True,
        ),
        funnel(
            "API by campaign, channel filter",
            api("campaign", channel=campaign.channel),
            "campaign",
            "c.channel = %(channel)s",
        ),
        funnel(
            "API by owner, channel filter",
            api("owner", channel=campaign.channel),
            "owner",
            "c.channel = %(channel)s",
        ),
        funnel(
            "a rep's figures by channel (as the rep)",
            api("channel"),
            "channel",
            "(l.owner_id = %(rep)s OR l.owner_id IS NULL)",
            as_rep=True,
        ),
        funnel(
            "breakdown tab by channel",
            f"/dashboard/breakdown/?by=channel&{window_query}",
            "channel",
        ),
        View(
            "campaign ROI tab (/dashboard/campaigns/)",
            f"/dashboard/campaigns/?{window_query}",
            HAND_WRITTEN_ROI,
            sql_params,
        ),
        View(
            "campaign ROI API (metrics/campaigns/)",
            f"/api/v1/metrics/campaigns/?{urlencode(base)}",
            HAND_WRITTEN_ROI,
            sql_params,
        ),
    ]


def run_sql(view: View):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(SESSION_TUNING + view.sql, view.params)
            return cursor.fetchall()

    return run
