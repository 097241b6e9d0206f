"""The funnel figures read from the daily rollups (PostgreSQL), exact to the definition.

Used by funnel.metrics.selectors.funnel_report for what managers open most: every lead,
no filter, grouped by month or not at all. Campaign, channel and owner groups, filters and
a rep's own leads read the keyed summaries (funnel.metrics.keyed_read), which also follow
a lead's campaign and owner changing after its moves were summarised.

Days with a pending dirty note (funnel.metrics.rollup_refresh) are read live from the
source rows and added in; the rest come from the rollups:

- cohort and reached: sums of `funnel_rollup_cohort`;
- flow: sums of `funnel_rollup_flow`;
- time in stage: percentile_cont needs the values at ranks floor(p(n-1)) and ceil(p(n-1)).
  The first pass sums moves per duration bucket, which names the one bucket that holds
  each rank and its offset there; the second pass reads only those buckets' sorted
  durations. Same values, same interpolation as PostgreSQL's percentile_cont.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from funnel.metrics.figures import STAGES, Figures
from funnel.metrics.grouping import GroupBy
from funnel.metrics.percentiles import (
    Key,
    grouped_figures,
    plan_ranks,
    targets_of,
    unpack,
)
from funnel.metrics.rollup_refresh import rollups_supported
from funnel.metrics.rollup_sql import cohort_source, local_day, moves_source
from funnel.metrics.sql import fetch_rows
from funnel.metrics.window import Window
from funnel.models import RollupDirty


@dataclass
class _Moves:
    """Moves out of one stage for one group: counts per bucket, live durations per bucket."""

    counts: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    live: dict[int, list[float]] = field(default_factory=lambda: defaultdict(list))


def rollup_usable(*, group_by: GroupBy | None, filtered: bool, scoped: bool) -> bool:
    return rollups_supported() and not filtered and not scoped and group_by in (None, GroupBy.MONTH)


def rollup_figures(*, window: Window, group_by: GroupBy | None):
    """(cohorts by key, moves by key, moves in total) as funnel_report merges them, or
    None when the rollups are not built for this time zone (then read live)."""
    tz = settings.TIME_ZONE
    dirty = dirty_days(window, tz)
    if dirty is None:
        return None
    move_days, cohort_days, _state = dirty
    key_sql = "to_char(day, 'YYYY-MM')" if group_by == GroupBy.MONTH else "NULL::text"
    base = {"tz": tz, "since": window.since, "until": window.until}

    cohorts = _cohorts(key_sql, {**base, **live_range(cohort_days, tz, "c")})
    if group_by is None:
        cohorts = {k: v for k, v in cohorts.items() if v.cohort}

    moves_params = {**base, **live_range(move_days, tz, "m")}
    flows = _flows(key_sql, moves_params)
    stage_moves: dict[tuple[Key, int], _Moves] = defaultdict(_Moves)
    for row in _bucket_counts(key_sql, moves_params):
        stage_moves[(row["key"], row["from_code"])].counts[row["bucket"]] += row["moves"]
    _add_live_moves(stage_moves, flows, moves_params, group_by)

    grouped, total = _assemble(flows, stage_moves, window, key_sql, moves_params, group_by)
    return cohorts, grouped, total


# --- dirty days ---------------------------------------------------------------------------


def dirty_days(
    window: Window, tz: str, *, extra: str = "", params: dict | None = None
) -> tuple[list[date], list[date], dict] | None:
    """The window's days with a pending note (moves, cohorts) and the first row, which
    holds the `extra` columns (the keyed reader's state, in the same statement); None
    when the rollups are not built for `tz`."""
    rows = fetch_rows(
        f"SELECT s.time_zone, d.kind, d.first, d.last{extra} FROM funnel_rollup_state s "
        f"LEFT JOIN (SELECT DISTINCT kind, {local_day('lo')} AS first, "
        f"{local_day('hi')} AS last FROM funnel_rollup_dirty "
        f"WHERE hi >= %(start)s AND lo < %(end)s) d ON TRUE",
        {**(params or {}), "tz": tz, "start": window.start, "end": window.end},
    )
    if not rows or rows[0]["time_zone"] != tz:
        return None
    days: dict[int, set[date]] = defaultdict(set)
    for row in rows:
        if row["kind"] is None:
            continue
        first, last = max(row["first"], window.since), min(row["last"], window.until)
        days[row["kind"]].update(first + timedelta(n) for n in range((last - first).days + 1))
    return sorted(days[RollupDirty.Kind.MOVES]), sorted(days[RollupDirty.Kind.COHORT]), rows[0]


def live_range(days: list[date], tz: str, prefix: str) -> dict:
    """Parameters naming the days read live: their list and the span holding them (an
    empty span when there are none, so the live half of a query reads nothing)."""
    zone = ZoneInfo(tz)
    if not days:
        nowhere = datetime(2000, 1, 1, tzinfo=zone)
        return {f"{prefix}days": [], f"{prefix}start": nowhere, f"{prefix}end": nowhere}
    return {
        f"{prefix}days": days,
        f"{prefix}start": datetime.combine(days[0], time.min, tzinfo=zone),
        f"{prefix}end": datetime.combine(days[-1] + timedelta(days=1), time.min, tzinfo=zone),
    }


def clean_days(prefix: str) -> str:
    """The rollup rows of the window's days that have no pending note."""
    return f"day >= %(since)s AND day <= %(until)s AND day <> ALL(%({prefix}days)s::date[])"


def live_days(column: str, prefix: str) -> str:
    return (
        f"{column} >= %({prefix}start)s AND {column} < %({prefix}end)s "
        f"AND {local_day(column)} = ANY(%({prefix}days)s::date[])"
    )


# --- cohort and flow ------------------------------------------------------------------------


def _cohorts(key_sql: str, params: dict) -> dict[Key, Figures]:
    columns = ", ".join(["cohort", *(f"reached_{s}" for s in STAGES)])
    sums = ", ".join(f"sum({c})::bigint AS {c}" for c in columns.split(", "))
    rows = fetch_rows(
        f"SELECT key, {sums} FROM ("
        f"SELECT {key_sql} AS key, {columns} FROM funnel_rollup_cohort WHERE {clean_days('c')} "
        f"UNION ALL SELECT {key_sql} AS key, {columns} "
        f"FROM ({cohort_source(live_days('created_at', 'c'))}) AS live) AS t GROUP BY key",
        params,
    )
    result = {}
    for row in rows:
        figures = Figures(cohort=row["cohort"])
        figures.reached = {stage: row[f"reached_{stage}"] for stage in STAGES}
        result[row["key"]] = figures
    return result


def _flows(key_sql: str, params: dict) -> dict[Key, dict[str, int]]:
    rows = fetch_rows(
        f"SELECT {key_sql} AS key, to_code, sum(moves)::bigint AS moves "
        f"FROM funnel_rollup_flow WHERE {clean_days('m')} GROUP BY 1, 2",
        params,
    )
    flows: dict[Key, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STAGES, 0))
    for row in rows:
        flows[row["key"]][STAGES[row["to_code"]]] += row["moves"]
    return flows


# --- time in stage ----------------------------------------------------------------------------


def _bucket_counts(key_sql: str, params: dict) -> list[dict]:
    return fetch_rows(
        f"SELECT {key_sql} AS key, from_code, bucket, sum(moves)::bigint AS moves "
        f"FROM funnel_rollup_stage_time WHERE {clean_days('m')} GROUP BY 1, 2, 3",
        params,
    )


def _add_live_moves(stage_moves, flows, params: dict, group_by: GroupBy | None) -> None:
    """The moves of days with a pending note, one row each (normally a few minutes' worth)."""
    if not params["mdays"]:
        return
    for row in fetch_rows(moves_source(live_days("at", "m")), params):
        key = _key(row["day"], group_by)
        flows[key][STAGES[row["to_code"]]] += 1
        moves = stage_moves[(key, row["from_code"])]
        moves.counts[row["bucket"]] += 1
        moves.live[row["bucket"]].append(row["days"])


def _key(day: date, group_by: GroupBy | None) -> Key:
    return f"{day.year:04d}-{day.month:02d}" if group_by == GroupBy.MONTH else None


@dataclass
class _Target:
    """One bucket of one (group, stage) whose sorted durations give some wanted ranks."""

    code: int
    bucket: int
    first: date
    last: date
    live: list[float]
    chunks: list[bytes] = field(default_factory=list)


def _assemble(flows, stage_moves, window: Window, key_sql, params, group_by):
    # Totals over the window: bucket counts and live values summed over the groups.
    if group_by is not None:
        for (key, code), moves in list(stage_moves.items()):
            if key is None:
                continue
            total = stage_moves[(None, code)]
            for bucket, count in moves.counts.items():
                total.counts[bucket] += count
            for bucket, values in moves.live.items():
                total.live[bucket].extend(values)

    plans = plan_ranks({group: moves.counts for group, moves in stage_moves.items()})
    targets = {}
    for key, code, bucket in targets_of(plans):
        first, last = _span(key, window)
        live = stage_moves[(key, code)].live.get(bucket, [])
        targets[(key, code, bucket)] = _Target(code, bucket, first, last, live)
    _read_durations(list(targets.values()), params)
    values = {k: sorted([*unpack(t.chunks), *t.live]) for k, t in targets.items()}
    # Grouped, funnel_report adds the groups' flow up itself and takes only the total's
    # time in stage.
    return grouped_figures(plans, values, flows)


def _span(key: Key, window: Window) -> tuple[date, date]:
    """The days a group covers: its month clipped to the window, or the whole window."""
    if key is None:
        return window.since, window.until
    year, month = (int(part) for part in key.split("-"))
    first = date(year, month, 1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return max(first, window.since), min(last, window.until)


def _read_durations(targets: list[_Target], params: dict) -> None:
    if not targets:
        return
    rows = fetch_rows(
        "SELECT t.n, r.durations FROM unnest(%(lo)s::date[], %(hi)s::date[], %(code)s::int[], "
        "%(bucket)s::int[]) WITH ORDINALITY AS t(lo, hi, code, bucket, n) "
        "JOIN funnel_rollup_stage_time r ON r.from_code = t.code AND r.bucket = t.bucket "
        "AND r.day >= t.lo AND r.day <= t.hi AND r.day <> ALL(%(mdays)s::date[])",
        {
            "lo": [t.first for t in targets],
            "hi": [t.last for t in targets],
            "code": [t.code for t in targets],
            "bucket": [t.bucket for t in targets],
            "mdays": params["mdays"],
        },
    )
    for row in rows:
        targets[row["n"] - 1].chunks.append(bytes(row["durations"]))
