"""SQL shared by the keyed summaries' refresh and reader (PostgreSQL).

A move or a lead counts under its lead's owner (DIM_OWNER), its lead's source campaign
(DIM_CAMPAIGN), 0 for none, and the pair of both (DIM_JOINT: campaign << 32 | owner, for
the reports that need both, a rep's scope by campaign or channel among them). Day, stage
codes, duration and bucket are the expressions of funnel.metrics.rollup_sql, so durations
are bit-identical to the live query's.
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
# 3 was the pool's campaigns (unowned leads), which DIM_JOINT's rows of owner 0 hold.
DIM_JOINT = 4

# A joint key: the campaign in the high half, the owner in the low 32 bits. Both ids stay
# below 2**31 (keyed_refresh checks before building), so the key is a positive bigint and a
# campaign's keys are one index range.
OWNER_BITS = 32
OWNER_MASK = (1 << OWNER_BITS) - 1
MAX_ID = 1 << 31


def joint_owner(key: str) -> str:
    """SQL: the owner part of a joint key (0: none)."""
    return f"({key} & {OWNER_MASK})"


def joint_campaign(key: str) -> str:
    """SQL: the campaign part of a joint key (0: none)."""
    return f"({key} >> {OWNER_BITS})"


def joint_key(owner: str, campaign: str) -> str:
    """SQL: the joint key of an owner and a campaign key (0 for none, never NULL)."""
    return f"(({campaign})::bigint << {OWNER_BITS} | ({owner}))"


def lead_key(dim: int, lead: str) -> str:
    """SQL: the key lead `lead` counts under in `dim`."""
    return key_of(dim, f"{lead}.owner_id", f"{lead}.source_campaign_id")


def key_of(dim: int, owner: str, campaign: str) -> str:
    """SQL: the key in `dim` of a lead with this owner and campaign (columns that may be
    NULL for none)."""
    if dim == DIM_OWNER:
        return f"COALESCE({owner}, 0)"
    if dim == DIM_CAMPAIGN:
        return f"COALESCE({campaign}, 0)"
    return joint_key(f"COALESCE({owner}, 0)", f"COALESCE({campaign}, 0)")


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
    tables), its tables and the table of its built periods. Both grains hold every
    dimension (keyed_sets). A grain that keeps `whole` periods has, besides each key's
    rows per duration bucket, one row per key and stage left holding every duration
    (bucket WHOLE)."""

    period: str  # "month" or "day": the column
    flow: str
    stage_time: str
    built: str
    following: Callable[[date], date]
    whole: bool = False

    def first(self, day: date) -> date:
        """The period holding `day`."""
        return day.replace(day=1) if self.period == "month" else day

    def of(self, column: str) -> str:
        """SQL: the local period of timestamp `column` (the %(tz)s zone)."""
        return local_month(column) if self.period == "month" else local_day(column)


# A lead `l`'s key in each dimension, for the refresh's grouping sets.
_LEAD_KEYS = (
    "COALESCE(l.owner_id, 0) AS owner_key, COALESCE(l.source_campaign_id, 0) AS campaign_key"
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
        "owner_key, campaign_key",
        f"(SELECT s.*, {_LEAD_KEYS} FROM funnel_stagechange s "
        "JOIN leads_lead l ON l.id = s.lead_id) AS s",
        where,
    )


def live_moves_source(where: str, dim: int, *, lookup: bool, leads: str | None = None) -> str:
    """One row per move with its lead's current key in `dim` as `key`, for reading; `where`
    reads `s` (the move).

    - `lookup` (a few days of moves): each move looks its lead up by primary key, once
      (OFFSET 0: not flattened, so a filter on the key does not look it up again); a join
      would be run as a scan of every lead.
    - `leads`, a narrow condition on the lead `l` (one campaign or one owner), joins
      instead. With `lookup` the few days' moves are read first (OFFSET 0 again) and
      hashed against the narrow leads from their covering index: probing the moves of
      each of a campaign's 7,001 leads by (lead, at) took 15 ms to find today's 15, the
      hash join 4 ms. Over many days the planner may probe the moves by (lead, at).
    """
    if lookup and leads is None:
        source = (
            f"funnel_stagechange s CROSS JOIN LATERAL (SELECT {lead_key(dim, 'l')} AS key "
            "FROM leads_lead l WHERE l.id = s.lead_id OFFSET 0) AS l"
        )
        return _moves("key", f"(SELECT s.*, l.key FROM {source}) AS s", where)
    moves = "funnel_stagechange"
    if lookup:
        moves = (
            "(SELECT s.lead_id, s.at, s.from_stage, s.to_stage, s.from_stage_entered_at "
            f"FROM funnel_stagechange s WHERE {where} OFFSET 0)"
        )
        where = "TRUE"  # (applied twice, its estimate squared would favour the look-ups)
    source = f"{moves} s JOIN leads_lead l ON l.id = s.lead_id AND {leads or 'TRUE'}"
    return _moves("key", f"(SELECT s.*, {lead_key(dim, 'l')} AS key FROM {source}) AS s", where)


# Rows grouped by GROUPING SETS ((..., owner_key), (..., campaign_key), (..., campaign_key,
# owner_key)): which set a row comes from and its key. The last two share one sort.
KEYED_DIM = (
    f"(CASE WHEN GROUPING(campaign_key) = 1 THEN {DIM_OWNER} "
    f"WHEN GROUPING(owner_key) = 1 THEN {DIM_CAMPAIGN} ELSE {DIM_JOINT} END)"
)
KEYED_KEY = (
    "(CASE WHEN GROUPING(campaign_key) = 1 THEN owner_key "
    "WHEN GROUPING(owner_key) = 1 THEN campaign_key "
    f"ELSE {joint_key('owner_key', 'campaign_key')} END)"
)


def keyed_sets(*columns: str, without: str | None = None) -> str:
    """The three key sets over `columns`; with `without`, three more lacking that column."""
    lists = [columns, [c for c in columns if c != without]] if without else [columns]
    return "GROUPING SETS (" + ", ".join(_key_set_list(", ".join(c)) for c in lists) + ")"


def _key_set_list(both: str) -> str:
    return f"({both}, owner_key), ({both}, campaign_key), ({both}, campaign_key, owner_key)"


def keyed_cohort_source(where: str) -> str:
    """Per local creation day and key: cohort size and members that reached each stage."""
    counts = ", ".join(
        f"count({column}) AS reached_{stage}" for stage, column in MILESTONE_COLUMNS.items()
    )
    return (
        f"SELECT day, {KEYED_DIM} AS dim, {KEYED_KEY} AS key, count(*) AS cohort, {counts} "
        f"FROM (SELECT {', '.join(MILESTONE_COLUMNS.values())}, "
        f"{local_day('created_at')} AS day, {_LEAD_KEYS} FROM leads_lead l WHERE {where}) AS c "
        f"GROUP BY {keyed_sets('day')}"
    )


# The bucket of a key's whole month of durations out of a stage (Grain.whole): a narrow
# report (one campaign's or one owner's keys) reads every duration of its moves, from a
# row per month, key and stage instead of a row per bucket (one campaign's year at 1M:
# 1,138 rows, not 12,710).
WHOLE = -1


# A lead's oldest pending note: the keys the built months counted it under.
NOTED_LEADS = (
    "SELECT DISTINCT ON (lead_id) lead_id, owner_was, campaign_was "
    "FROM funnel_keyed_lead_note ORDER BY lead_id, id"
)


# Moves kept per local month (past months: windows of whole months read few rows) and per
# local day (past days of partial months: the last 30 days).
MONTH = Grain(
    "month",
    flow="funnel_keyed_flow",
    stage_time="funnel_keyed_stage_time",
    built="funnel_keyed_month",
    following=next_month,
    whole=True,
)
DAY = Grain(
    "day",
    flow="funnel_keyed_day_flow",
    stage_time="funnel_keyed_day_stage_time",
    built="funnel_keyed_day",
    following=next_day,
)
GRAINS = (MONTH, DAY)
# The keyed moves' tables of both grains (a fold or a full build rewrites them).
MOVE_TABLES = tuple(table for g in GRAINS for table in (g.flow, g.stage_time))
