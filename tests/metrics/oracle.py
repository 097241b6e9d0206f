"""An independent, deliberately plain computation of every funnel figure, for the truth
tests: it reads raw history rows and walks them in Python, ignoring the derived columns
(milestones, `from_stage_entered_at`) and the metrics code."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from funnel.models import StageChange
from funnel.stages import Stage
from leads.models import Lead, LeadMerge

STAGES = [s.value for s in Stage]


def _percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    if fraction == 0.5:
        return statistics.median(values)
    # "inclusive" quantiles interpolate linearly between ranks, like percentile_cont.
    return statistics.quantiles(values, n=10, method="inclusive")[round(fraction * 10) - 1]


def _empty() -> dict:
    return {
        "cohort": 0,
        "reached": dict.fromkeys(STAGES, 0),
        "flow": dict.fromkeys(STAGES, 0),
        "durations": {s: [] for s in STAGES},
    }


def _finish(raw: dict) -> dict:
    reached, cohort = raw["reached"], raw["cohort"]

    def ratio(a: int, b: int):
        return a / b if b else None

    return {
        "cohort": cohort,
        "reached": reached,
        "rates": {
            "lead_to_prospect": ratio(reached["prospect"], cohort),
            "prospect_to_customer": ratio(reached["customer"], reached["prospect"]),
            "lead_to_customer": ratio(reached["customer"], cohort),
        },
        "flow": raw["flow"],
        "time_in_stage": {
            s: {
                "moves": len(d),
                "median_days": _percentile(d, 0.5),
                "p90_days": _percentile(d, 0.9),
            }
            for s, d in raw["durations"].items()
        },
    }


def expected_report(
    *, since: date, until: date, tz: str, group_by: str | None, filters: dict, lead_ids=None
) -> dict:
    zone = ZoneInfo(tz)
    start = datetime.combine(since, time.min, tzinfo=zone)
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone)

    leads = {
        row["id"]: row
        for row in Lead.objects.values(
            "id", "created_at", "source_campaign_id", "source_campaign__channel", "owner_id"
        )
    }
    history = defaultdict(list)
    for row in StageChange.objects.values(
        "lead_id", "from_stage", "to_stage", "at", "id", "merged_from"
    ):
        history[row["lead_id"]].append(row)
    # A merged duplicate's moves are another chain on the survivor: its time in a stage
    # runs from that chain's previous move, or from the merged-away lead's creation.
    chain_start = dict(LeadMerge.objects.values_list("merged_lead_id", "merged_created_at"))

    def keep(lead) -> bool:
        if lead_ids is not None and lead["id"] not in lead_ids:
            return False
        if (
            filters.get("campaign") is not None
            and lead["source_campaign_id"] != filters["campaign"]
        ):
            return False
        if filters.get("channel") and lead["source_campaign__channel"] != filters["channel"]:
            return False
        return not (filters.get("owner") is not None and lead["owner_id"] != filters["owner"])

    def key_of(lead, when: datetime) -> str:
        if group_by == "month":
            local = when.astimezone(zone)
            return f"{local.year:04d}-{local.month:02d}"
        value = {
            "campaign": lead["source_campaign_id"],
            "channel": lead["source_campaign__channel"],
            "owner": lead["owner_id"],
        }[group_by]
        return "none" if value in (None, "") else str(value)

    groups: dict[str, dict] = defaultdict(_empty)
    totals = _empty()
    for lead in leads.values():
        if not keep(lead):
            continue
        moves = sorted(history[lead["id"]], key=lambda m: (m["at"], m["id"]))
        if start <= lead["created_at"] < end:
            buckets = [totals] + ([groups[key_of(lead, lead["created_at"])]] if group_by else [])
            for bucket in buckets:
                bucket["cohort"] += 1
                for stage in {m["to_stage"] for m in moves}:
                    bucket["reached"][stage] += 1
        entered = {None: lead["created_at"]}
        for move in moves:
            chain = move["merged_from"]
            entered_at = entered.get(chain) or chain_start[chain]
            if start <= move["at"] < end:
                buckets = [totals] + ([groups[key_of(lead, move["at"])]] if group_by else [])
                days = (move["at"] - entered_at).total_seconds() / 86400
                for bucket in buckets:
                    bucket["flow"][move["to_stage"]] += 1
                    bucket["durations"][move["from_stage"]].append(days)
            entered[chain] = move["at"]

    if group_by == "month":
        keys, month = [], date(since.year, since.month, 1)
        while month <= until:
            keys.append(f"{month.year:04d}-{month.month:02d}")
            month = (month + timedelta(days=32)).replace(day=1)
    else:
        keys = sorted(groups) if group_by else []
    return {
        "totals": _finish(totals),
        "groups": {key: _finish(groups[key]) for key in keys},
    }
