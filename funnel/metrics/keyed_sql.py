"""SQL shared by the keyed summaries' refresh and reader (PostgreSQL).

A move or a lead counts under its lead's owner (DIM_OWNER) and its lead's source campaign
(DIM_CAMPAIGN), 0 for none, and an unowned lead's also under its source campaign in
DIM_POOL_CAMPAIGN (the pool every rep sees: a rep's report by campaign or channel is
these rows plus the rep's own leads read live). Day, stage codes, duration and bucket are the
expressions of funnel.metrics.rollup_sql, so durations are bit-identical to the live
query's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from funnel.metrics.figures import MILESTONE_COLUMNS
from funnel.metrics.rollup_sql import BUCKET_OF, DURATION_DAYS, local_day, stage_code

DIM_OWNER = 1
DIM_CAMPAIGN = 2
DIM_POOL_CAMPAIGN = 3


def lead_key(dim: int, lead: str) -> str:
    """SQL: the key lead `lead` counts under in `dim` (NULL: not in dim 3, it has an owner)."""
    return key_of(dim, f"{lead}.owner_id", f"{lead}.source_campaign_id")


def key_of(dim: int, owner: str, campaign: str) -> str:
    """SQL: the key in `dim` of a lead with this owner and campaign (columns that may be
    NULL for none); NULL when an owned lead is asked for its dim 3 key."""
    if dim == DIM_OWNER:
        return f"COALESCE({owner}, 0)"
    if dim == DIM_CAMPAIGN:
        return f"COALESCE({campaign}, 0)"
    return f"(CASE WHEN COALESCE({owner}, 0) = 0 THEN COALESCE({campaign}, 0) END)"


def local_month(column: str) -> str:
    """The first day of `column`'s calendar month in the %(tz)s zone."""
    return f"(date_trunc('month', {column} AT TIME ZONE %(tz)s)::date)"


def local_midnight(day: date, tz: str) -> datetime:
    """The start of `day` (often a month's first) in the `tz` zone."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(tz))


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def next_day(day: date) -> date:
    return day + timedelta(days=1)


@dataclass(frozen=True)
class Grain:
    """A period keyed moves are kept per: its column (in the moves source and in its
    tables), its tables, the table of its built periods, and the grouping sets it is built
    with (the dimensions it holds)."""

    period: str  # "month" or "day": the column
    flow: str
    stage_time: str
    built: str
    following: Callable[[date], date]
    sets: Callable[..., str]

    def first(self, day: date) -> date:
        """The period holding `day`."""
        return day.replace(day=1) if self.period == "month" else day

    def last(self, period: date) -> date:
        return self.following(period) - timedelta(days=1)


# A lead `l`'s key in each dimension, for the refresh's grouping sets.
_LEAD_KEYS = (
    "COALESCE(l.owner_id, 0) AS owner_key, COALESCE(l.source_campaign_id, 0) AS campaign_key, "
    "CASE WHEN l.owner_id IS NULL THEN COALESCE(l.source_campaign_id, 0) END AS pool_key"
)


def _moves(keys: str, source: str, where: str) -> str:
    return (
        f"SELECT lead_id, day, month, {keys}, from_code, to_code, days, "
        f"{BUCKET_OF.format(d='days')} AS bucket FROM (SELECT s.lead_id, "
        f"{local_day('s.at')} AS day, {local_month('s.at')} AS month, {keys}, "
        f"{stage_code('s.from_stage')} AS from_code, {stage_code('s.to_stage')} AS to_code, "
        f"{DURATION_DAYS} AS days FROM {source} WHERE {where}) AS m"
    )


def keyed_moves_source(where: str) -> str:
    """One row per move with its lead's current keys (the refresh: many moves, so the
    leads are joined); `where` reads `s` (the move)."""
    return _moves(
        "owner_key, campaign_key, pool_key",
        f"(SELECT s.*, {_LEAD_KEYS} FROM funnel_stagechange s "
        "JOIN leads_lead l ON l.id = s.lead_id) AS s",
        where,
    )


def live_moves_source(where: str, dim: int, *, lookup: bool) -> str:
    """One row per move with its lead's current key in `dim` as `key` (dim 3: NULL for
    an owned lead), for reading. With `lookup`, each move looks its lead up by primary
    key: for a few days of moves, cheaper than a join, which PostgreSQL runs as a scan of
    every lead."""
    if lookup:
        key = f"(SELECT {lead_key(dim, 'l')} FROM leads_lead l WHERE l.id = s.lead_id)"
        source = "funnel_stagechange s"
    else:
        key = lead_key(dim, "l")
        source = "funnel_stagechange s JOIN leads_lead l ON l.id = s.lead_id"
    return _moves("key", f"(SELECT s.*, {key} AS key FROM {source}) AS s", where)


def pool_and_own_moves_source(where: str, *, lookup: bool) -> str:
    """A rep's moves by campaign (dim 3 read with a rep's scope): the moves of `where`
    whose lead is unowned (the days the keyed rows do not cover) and every move of the
    window (%(wstart)s .. %(wend)s) whose lead the rep (%(rep)s) owns: few leads, found
    by the owner index, their moves by (lead, at)."""
    if lookup:  # each move looks its lead up once (OFFSET 0: not flattened to a join)
        pool = (
            "funnel_stagechange s CROSS JOIN LATERAL (SELECT l.source_campaign_id "
            "FROM leads_lead l WHERE l.id = s.lead_id AND l.owner_id IS NULL OFFSET 0) AS l"
        )
    else:
        pool = "funnel_stagechange s JOIN leads_lead l ON l.id = s.lead_id AND l.owner_id IS NULL"
    own = "leads_lead l JOIN funnel_stagechange s ON s.lead_id = l.id AND l.owner_id = %(rep)s"
    parts = ((pool, where), (own, "s.at >= %(wstart)s AND s.at < %(wend)s"))
    return " UNION ALL ".join(
        _moves(
            "key", f"(SELECT s.*, COALESCE(l.source_campaign_id, 0) AS key FROM {rows}) AS s", on
        )
        for rows, on in parts
    )


# Rows grouped by GROUPING SETS ((..., owner_key), (..., campaign_key), (..., campaign_key,
# pool_key)): which set a row comes from and its key. The third set shares the second's
# sort; its groups of owned leads (pool_key NULL) are dropped by KEYED_HAVING.
KEYED_DIM = (
    f"(CASE WHEN GROUPING(owner_key) = 0 THEN {DIM_OWNER} "
    f"WHEN GROUPING(pool_key) = 1 THEN {DIM_CAMPAIGN} ELSE {DIM_POOL_CAMPAIGN} END)"
)
KEYED_KEY = "(CASE WHEN GROUPING(owner_key) = 0 THEN owner_key ELSE campaign_key END)"
KEYED_HAVING = "HAVING GROUPING(pool_key) = 1 OR pool_key IS NOT NULL"


def keyed_sets(*columns: str) -> str:
    both = ", ".join(columns)
    return (
        f"GROUPING SETS (({both}, owner_key), ({both}, campaign_key), "
        f"({both}, campaign_key, pool_key))"
    )


def keyed_cohort_source(where: str) -> str:
    """Per local creation day and key: cohort size and members that reached each stage."""
    counts = ", ".join(
        f"count({column}) AS reached_{stage}" for stage, column in MILESTONE_COLUMNS.items()
    )
    return (
        f"SELECT day, {KEYED_DIM} AS dim, {KEYED_KEY} AS key, count(*) AS cohort, {counts} "
        f"FROM (SELECT {', '.join(MILESTONE_COLUMNS.values())}, "
        f"{local_day('created_at')} AS day, {_LEAD_KEYS} FROM leads_lead l WHERE {where}) AS c "
        f"GROUP BY {keyed_sets('day')} {KEYED_HAVING}"
    )


# A lead's oldest pending note: the keys the built months counted it under.
NOTED_LEADS = (
    "SELECT DISTINCT ON (lead_id) lead_id, owner_was, campaign_was "
    "FROM funnel_keyed_lead_note ORDER BY lead_id, id"
)


# Moves kept per local month (past months: windows of whole months read few rows) and per
# local day (past days of partial months: the last 30 days). The day rows' dimensions are
# chosen here (DAY.sets), apart from the months'.
MONTH = Grain(
    "month",
    flow="funnel_keyed_flow",
    stage_time="funnel_keyed_stage_time",
    built="funnel_keyed_month",
    following=next_month,
    sets=keyed_sets,
)
DAY = Grain(
    "day",
    flow="funnel_keyed_day_flow",
    stage_time="funnel_keyed_day_stage_time",
    built="funnel_keyed_day",
    following=next_day,
    sets=keyed_sets,
)
GRAINS = (MONTH, DAY)
