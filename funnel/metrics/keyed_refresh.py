"""Keeping the keyed summaries (funnel.models: KeyedCohort, KeyedFlow, KeyedStageTime,
KeyedMonth) in step, inside `rollups_refresh`'s transaction and snapshot.

- Keyed cohorts are rebuilt for the days whose day cohort is rebuilt, and for the creation
  days of leads noted since the last refresh (their owner or campaign changed: migration
  0011; the note's `cohort_pending` is cleared here, and until then readers read that
  day live).
- Keyed moves are built per past local month: months never built, and built months
  holding a move day this refresh takes. The current month is always read live.
- Folding: a lead whose owner or campaign changed since its months were built has a note;
  readers move its moves from the noted key to the current one. A month built while a
  note exists would count the lead under its new key while the note says the old one, so
  whenever any month is built (or the notes grow past FOLD_LEADS leads or FOLD_AGE old),
  every built month a noted lead has a move in is rebuilt and the notes seen are deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from funnel.metrics.keyed_sql import (
    KEYED_DIM,
    KEYED_KEY,
    MAX_ID,
    keyed_cohort_source,
    keyed_moves_source,
    keyed_sets,
    local_midnight,
    local_month,
    next_month,
)
from funnel.metrics.rollup_sql import local_day

FOLD_LEADS = 2_000
FOLD_AGE = timedelta(minutes=10)
TABLES = ("funnel_keyed_cohort", "funnel_keyed_flow", "funnel_keyed_stage_time")


@dataclass
class KeyedResult:
    months: int
    folded: bool


def keyed_refresh(
    cursor, *, tz: str, full: bool, cohort_days: list[date], move_days: list[date]
) -> KeyedResult:
    current = timezone.localtime(timezone.now(), ZoneInfo(tz)).date().replace(day=1)
    _check_ids(cursor)
    if full:
        for table in (*TABLES, "funnel_keyed_month"):
            cursor.execute(f"DELETE FROM {table}")
        _insert_cohorts(cursor, tz=tz, where="TRUE", params={})
        months = _past_months(cursor, tz, current)
        _build_months(cursor, tz, months)
        cursor.execute("DELETE FROM funnel_keyed_lead_note")
        return KeyedResult(months=len(months), folded=True)

    _rebuild_cohorts(cursor, tz, sorted(set(cohort_days) | _pending_cohort_days(cursor, tz)))
    cursor.execute("SELECT month FROM funnel_keyed_month")
    built = {row[0] for row in cursor.fetchall()}
    months = (_past_months(cursor, tz, current) - built) | (
        {day.replace(day=1) for day in move_days} & built
    )
    # The notes' age on the database clock, which wrote them.
    cursor.execute(
        "SELECT count(DISTINCT lead_id), coalesce(min(noted_at) < now() - %s, FALSE) "
        "FROM funnel_keyed_lead_note",
        [FOLD_AGE],
    )
    noted, old = cursor.fetchone()
    fold = bool(months) or noted >= FOLD_LEADS or old
    if fold and noted:
        months |= _noted_months(cursor, tz) & built
    _build_months(cursor, tz, months)
    if fold and noted:
        # REPEATABLE READ: only the notes this snapshot saw; one committed meanwhile
        # describes a change the months just built do not hold, and stays.
        cursor.execute("DELETE FROM funnel_keyed_lead_note")
    return KeyedResult(months=len(months), folded=fold and bool(noted))


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


def _past_months(cursor, tz: str, current: date) -> set[date]:
    """Every month from the first move's to the one before `current`."""
    cursor.execute(f"SELECT {local_month('min(at)')} FROM funnel_stagechange", {"tz": tz})
    first = cursor.fetchone()[0]
    months = set()
    while first is not None and first < current:
        months.add(first)
        first = next_month(first)
    return months


def _noted_months(cursor, tz: str) -> set[date]:
    cursor.execute(
        f"SELECT DISTINCT {local_month('s.at')} FROM funnel_stagechange s "
        "WHERE s.lead_id IN (SELECT lead_id FROM funnel_keyed_lead_note)",
        {"tz": tz},
    )
    return {row[0] for row in cursor.fetchall()}


def _build_months(cursor, tz: str, months: set[date]) -> None:
    if not months:
        return
    ordered = sorted(months)
    params = {
        "tz": tz,
        "months": ordered,
        "start": local_midnight(ordered[0], tz),
        "end": local_midnight(next_month(ordered[-1]), tz),
    }
    cursor.execute(
        "DELETE FROM funnel_keyed_flow WHERE month = ANY(%(months)s::date[]);"
        "DELETE FROM funnel_keyed_stage_time WHERE month = ANY(%(months)s::date[])",
        params,
    )
    source = keyed_moves_source(
        f"s.at >= %(start)s AND s.at < %(end)s AND {local_month('s.at')} = ANY(%(months)s::date[])"
    )
    cursor.execute(
        "INSERT INTO funnel_keyed_flow (month, dim, key, to_code, moves) "
        f"SELECT month, {KEYED_DIM}, {KEYED_KEY}, to_code, count(*) FROM ({source}) AS s "
        f"GROUP BY {keyed_sets('month', 'to_code')}",
        params,
    )
    cursor.execute(
        "INSERT INTO funnel_keyed_stage_time (month, dim, key, from_code, bucket, moves, "
        f"durations) SELECT month, {KEYED_DIM}, {KEYED_KEY}, from_code, bucket, count(*), "
        "string_agg(float8send(days), ''::bytea ORDER BY days) "
        f"FROM ({source}) AS s GROUP BY {keyed_sets('month', 'from_code', 'bucket')}",
        params,
    )
    cursor.execute(
        "INSERT INTO funnel_keyed_month (month, built_at) "
        "SELECT unnest(%(months)s::date[]), now() "
        "ON CONFLICT (month) DO UPDATE SET built_at = EXCLUDED.built_at",
        params,
    )


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
