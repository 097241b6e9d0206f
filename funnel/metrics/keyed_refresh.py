"""Keeping the keyed summaries (funnel.models: KeyedCohort, KeyedFlow, KeyedStageTime,
KeyedMonth, and their day twins KeyedDayFlow, KeyedDayStageTime, KeyedDay) in step,
inside `rollups_refresh`'s transaction and snapshot.

- Keyed cohorts are rebuilt for the days whose day cohort is rebuilt, and for the creation
  days of leads noted since the last refresh (their owner or campaign changed: migration
  0011; the note's `cohort_pending` is cleared here, and until then readers read that
  day live).
- Keyed moves are built per past local month and per past local day (keyed_sql.GRAINS):
  periods never built, and built periods holding a move day this refresh takes. Today
  (and the current month's month rows) are always read live.
- Folding: a lead whose owner or campaign changed since its months were built has a note;
  readers move its moves from the noted key to the current one. A month built while a
  note exists would count the lead under its new key while the note says the old one, so
  whenever any month or day is built (or the notes grow past FOLD_LEADS leads or FOLD_AGE
  old), every built month and day a noted lead has a move in is rebuilt and the notes seen
  are deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from django.utils import timezone

from funnel.metrics.keyed_sql import (
    DAY,
    GRAINS,
    KEYED_DIM,
    KEYED_KEY,
    MAX_ID,
    MONTH,
    MOVE_TABLES,
    WHOLE,
    Grain,
    keyed_cohort_source,
    keyed_moves_source,
    keyed_sets,
    local_midnight,
)
from funnel.metrics.rollup_sql import local_day

FOLD_LEADS = 2_000
FOLD_AGE = timedelta(minutes=10)
TABLES = ("funnel_keyed_cohort", "funnel_keyed_flow", "funnel_keyed_stage_time")


@dataclass
class KeyedResult:
    months: int
    folded: bool
    days: int = 0


def keyed_refresh(
    cursor, *, tz: str, full: bool, cohort_days: list[date], move_days: list[date]
) -> KeyedResult:
    today = timezone.localtime(timezone.now(), ZoneInfo(tz)).date()
    _check_ids(cursor)
    if full:
        for table in (*TABLES, *MOVE_TABLES, *(g.built for g in GRAINS)):
            cursor.execute(f"DELETE FROM {table}")
        _insert_cohorts(cursor, tz=tz, where="TRUE", params={})
        first = _first_move_day(cursor, tz)
        periods = {grain: _past_periods(grain, first, today) for grain in GRAINS}
        for grain, built in periods.items():
            _build(cursor, tz, grain, built)
        cursor.execute("DELETE FROM funnel_keyed_lead_note")
        return KeyedResult(months=len(periods[MONTH]), days=len(periods[DAY]), folded=True)

    _rebuild_cohorts(cursor, tz, sorted(set(cohort_days) | _pending_cohort_days(cursor, tz)))
    built, periods = {}, {}
    first = _first_move_day(cursor, tz)
    for grain in GRAINS:
        cursor.execute(f"SELECT {grain.period} FROM {grain.built}")
        built[grain] = {row[0] for row in cursor.fetchall()}
        periods[grain] = (_past_periods(grain, first, today) - built[grain]) | (
            {grain.first(day) for day in move_days} & built[grain]
        )
    # The notes' age on the database clock, which wrote them.
    cursor.execute(
        "SELECT count(DISTINCT lead_id), coalesce(min(noted_at) < now() - %s, FALSE) "
        "FROM funnel_keyed_lead_note",
        [FOLD_AGE],
    )
    noted, old = cursor.fetchone()
    fold = any(periods.values()) or noted >= FOLD_LEADS or old
    if fold and noted:
        noted_days = _noted_days(cursor, tz)
        for grain in GRAINS:
            periods[grain] |= {grain.first(day) for day in noted_days} & built[grain]
    for grain in GRAINS:
        _build(cursor, tz, grain, periods[grain])
    if fold and noted:
        # REPEATABLE READ: only the notes this snapshot saw; one committed meanwhile
        # describes a change the periods just built do not hold, and stays.
        cursor.execute("DELETE FROM funnel_keyed_lead_note")
    return KeyedResult(
        months=len(periods[MONTH]), days=len(periods[DAY]), folded=fold and bool(noted)
    )


def _check_ids(cursor) -> None:
    """The joint keys hold an owner and a campaign id below 2**31 each (keyed_sql)."""
    cursor.execute(
        "SELECT greatest((SELECT max(id) FROM auth_user), (SELECT max(id) FROM marketing_campaign))"
    )
    largest = cursor.fetchone()[0]
    if largest is not None and largest >= MAX_ID:
        raise ValueError(f"id {largest} does not fit a joint keyed key (below {MAX_ID})")


def _pending_cohort_days(cursor, tz: str) -> set[date]:
    """Creation days of the leads noted since the last refresh, their notes marked done
    (REPEATABLE READ: a note committed meanwhile stays pending for the next run)."""
    cursor.execute(
        "WITH noted AS (UPDATE funnel_keyed_lead_note SET cohort_pending = FALSE "
        "WHERE cohort_pending RETURNING lead_id) "
        f"SELECT DISTINCT {local_day('l.created_at')} FROM noted "
        "JOIN leads_lead l ON l.id = noted.lead_id",
        {"tz": tz},
    )
    return {row[0] for row in cursor.fetchall()}


def _first_move_day(cursor, tz: str) -> date | None:
    cursor.execute(f"SELECT {local_day('min(at)')} FROM funnel_stagechange", {"tz": tz})
    return cursor.fetchone()[0]


def _past_periods(grain: Grain, first: date | None, today: date) -> set[date]:
    """Every period from the one of the first move's day to the one before today's."""
    current = grain.first(today)
    periods = set()
    period = first and grain.first(first)
    while period is not None and period < current:
        periods.add(period)
        period = grain.following(period)
    return periods


def _noted_days(cursor, tz: str) -> set[date]:
    """The local days the noted leads moved on (their periods are rebuilt by a fold)."""
    cursor.execute(
        f"SELECT DISTINCT {local_day('s.at')} FROM funnel_stagechange s "
        "WHERE s.lead_id IN (SELECT lead_id FROM funnel_keyed_lead_note)",
        {"tz": tz},
    )
    return {row[0] for row in cursor.fetchall()}


def _build(cursor, tz: str, grain: Grain, periods: set[date]) -> None:
    """(Re)build the keyed moves of `periods` (months or days, as `grain` says)."""
    if not periods:
        return
    ordered = sorted(periods)
    params = {
        "tz": tz,
        "periods": ordered,
        "start": local_midnight(ordered[0], tz),
        "end": local_midnight(grain.following(ordered[-1]), tz),
    }
    period = grain.period
    cursor.execute(
        f"DELETE FROM {grain.flow} WHERE {period} = ANY(%(periods)s::date[]);"
        f"DELETE FROM {grain.stage_time} WHERE {period} = ANY(%(periods)s::date[])",
        params,
    )
    where = "s.at >= %(start)s AND s.at < %(end)s"
    if _gaps(grain, ordered):
        where += f" AND {grain.of('s.at')} = ANY(%(periods)s::date[])"
    source = keyed_moves_source(where)
    # Written in key order: a narrow report (one campaign's or one owner's keys) then
    # reads a run of pages per period, not a page per row (one campaign's 12,710 joint
    # stage-time rows of a year lay on 5,773 pages).
    cursor.execute(
        f"INSERT INTO {grain.flow} ({period}, dim, key, to_code, moves) "
        f"SELECT {period}, {KEYED_DIM}, {KEYED_KEY}, to_code, count(*) FROM ({source}) AS s "
        f"GROUP BY {keyed_sets(period, 'to_code')} ORDER BY 2, 3, 1",
        params,
    )
    bucket, sets, order = "bucket", keyed_sets(period, "from_code", "bucket"), "2, 3, 1"
    if grain.whole:
        # Each key's whole period too, written first: a narrow report reads them as a run.
        bucket = f"CASE WHEN GROUPING(bucket) = 1 THEN {WHOLE} ELSE bucket END"
        sets = keyed_sets(period, "from_code", "bucket", without="bucket")
        order = f"GROUPING(bucket) DESC, {order}"
    cursor.execute(
        f"INSERT INTO {grain.stage_time} ({period}, dim, key, from_code, bucket, moves, "
        f"durations) SELECT {period}, {KEYED_DIM}, {KEYED_KEY}, from_code, {bucket}, count(*), "
        "string_agg(float8send(days), ''::bytea ORDER BY days) "
        f"FROM ({source}) AS s GROUP BY {sets} ORDER BY {order}",
        params,
    )
    cursor.execute(
        f"INSERT INTO {grain.built} ({period}, built_at) "
        "SELECT unnest(%(periods)s::date[]), now() "
        f"ON CONFLICT ({period}) DO UPDATE SET built_at = EXCLUDED.built_at",
        params,
    )


def _gaps(grain: Grain, ordered: list[date]) -> bool:
    """Are there periods between the first and the last that are not to be built? (Else
    the time range alone says which moves: no lookup in a list of thousands of days.)"""
    return any(grain.following(a) != b for a, b in pairwise(ordered))


def _rebuild_cohorts(cursor, tz: str, days: list[date]) -> None:
    if not days:
        return
    params = {
        "days": days,
        "start": local_midnight(days[0], tz),
        "end": local_midnight(days[-1] + timedelta(days=1), tz),
    }
    cursor.execute("DELETE FROM funnel_keyed_cohort WHERE day = ANY(%(days)s::date[])", params)
    where = (
        f"created_at >= %(start)s AND created_at < %(end)s "
        f"AND {local_day('created_at')} = ANY(%(days)s::date[])"
    )
    _insert_cohorts(cursor, tz=tz, where=where, params=params)


def _insert_cohorts(cursor, *, tz: str, where: str, params: dict) -> None:
    columns = "cohort, reached_lead, reached_prospect, reached_customer, reached_disqualified"
    columns += ", reached_lost"
    cursor.execute(
        f"INSERT INTO funnel_keyed_cohort (day, dim, key, {columns}) "
        f"SELECT day, dim, key, {columns} FROM ({keyed_cohort_source(where)}) AS c",
        {**params, "tz": tz},
    )
