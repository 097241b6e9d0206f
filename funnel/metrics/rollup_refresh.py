"""Keeping the metric rollups (funnel.models: CohortRollup, FlowRollup, StageTimeRollup)
in step with the source tables. PostgreSQL only; run by the Celery beat task
`funnel.tasks.metric_rollups_refresh` every minute and by `manage.py funnel_rollups`.

Triggers (migration 0005) leave a note in `funnel_rollup_dirty` for every write to leads
or stage changes. A refresh takes the notes it can see (DELETE ... RETURNING, so a note
committed meanwhile stays for the next run), rebuilds every local day they cover from the
source rows, and commits both at once. Readers skip the rollup for any day that still has
a note, so the window between a write and the next refresh is read live, never stale.
With no state row, or after TIME_ZONE changed, the whole rollup is rebuilt. The keyed
summaries (funnel.metrics.keyed_refresh) and the noted close days of the campaign revenue
credits summary (marketing.credit_rollup; triggers of migration 0009) are refreshed in the
same transaction, which is REPEATABLE READ: the notes deleted and the rows rebuilt come
from one snapshot.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from funnel.metrics.keyed_refresh import keyed_refresh
from funnel.metrics.keyed_sql import GRAINS, MOVE_TABLES
from funnel.metrics.rollup_sql import cohort_source, local_day, moves_source
from funnel.models import RollupDirty, RollupState

logger = logging.getLogger(__name__)

# Two refreshes never interleave (pg_advisory_xact_lock key: "funnel rollups").
LOCK_KEY = 0x46554E4E454C
# Past this many days to rebuild, one full rebuild is cheaper than day by day.
FULL_REBUILD_DAYS = 1500
TABLES = ("funnel_rollup_cohort", "funnel_rollup_flow", "funnel_rollup_stage_time")


@dataclass
class RefreshResult:
    full: bool
    move_days: int
    cohort_days: int
    credit_days: int | None = 0  # None: every day of campaign credits
    keyed_months: int = 0
    folded: bool = False
    keyed_days: int = 0

    def __str__(self) -> str:
        keyed = f"{self.keyed_months} keyed month(s), {self.keyed_days} keyed day(s)"
        keyed += " and folded notes" if self.folded else ""
        if self.full:
            return f"rebuilt every day and {keyed}"
        credits = "every day" if self.credit_days is None else f"{self.credit_days} day(s)"
        return (
            f"rebuilt {self.move_days} day(s) of moves, {self.cohort_days} of cohorts, "
            f"{credits} of campaign credits, {keyed}"
        )


def rollups_supported() -> bool:
    return connection.vendor == "postgresql"


def rollups_refresh(*, full: bool = False) -> RefreshResult | None:
    """Bring the rollups up to date; None on a database without rollups (SQLite)."""
    if not rollups_supported():
        return None
    from marketing.credit_rollup import credits_refresh  # marketing imports funnel: late

    tz = settings.TIME_ZONE
    with _serialised() as outermost, transaction.atomic(), connection.cursor() as cursor:
        if outermost:
            # One snapshot for every statement: the notes deleted are exactly the ones the
            # rebuilt rows account for (funnel.metrics.keyed_refresh relies on it).
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        else:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        state = RollupState.objects.first()  # the advisory lock serialises refreshes
        cursor.execute("DELETE FROM funnel_rollup_dirty RETURNING kind, lo, hi")
        notes = cursor.fetchall()
        move_days, cohort_days = _days(notes, ZoneInfo(tz))
        full = full or state is None or state.time_zone != tz
        full = full or len(move_days) + len(cohort_days) > FULL_REBUILD_DAYS
        if full:
            for table in TABLES:
                cursor.execute(f"DELETE FROM {table}")
            _insert_moves(cursor, tz=tz, where="TRUE", params={})
            _insert_cohorts(cursor, tz=tz, where="TRUE", params={})
        else:
            _rebuild_moves(cursor, tz=tz, days=sorted(move_days))
            _rebuild_cohorts(cursor, tz=tz, days=sorted(cohort_days))
        keyed = keyed_refresh(
            cursor,
            tz=tz,
            full=full,
            cohort_days=sorted(cohort_days),
            move_days=sorted(move_days),
        )
        # Campaign revenue credits per close day (marketing.credit_rollup), same lock.
        credit_days = credits_refresh(cursor, full=full)
        RollupState.objects.all().delete()
        RollupState.objects.create(time_zone=tz, refreshed_at=timezone.now())
    result = RefreshResult(
        full=full,
        move_days=len(move_days),
        cohort_days=len(cohort_days),
        credit_days=credit_days,
        keyed_months=keyed.months,
        folded=keyed.folded,
        keyed_days=keyed.days,
    )
    if result.full or result.folded or result.keyed_months:
        _vacuum_rewritten(full=result.full)
    logger.info("Metric rollups: %s.", result)
    return result


# What a full rebuild, a fold or a month build rewrites wholesale: dead rows that every
# read would step over until (auto)vacuum came. Vacuumed at once after such a run. (A day
# built alone, each midnight, adds rows and deletes few: no vacuum.)
REWRITTEN = (*MOVE_TABLES, "funnel_keyed_lead_note")
REWRITTEN_FULLY = (
    *REWRITTEN,
    "funnel_keyed_cohort",
    *(grain.built for grain in GRAINS),
    "funnel_rollup_cohort",
    "funnel_rollup_flow",
    "funnel_rollup_stage_time",
    "funnel_rollup_credit",
    "funnel_rollup_credit_day",
    "funnel_rollup_dirty",
)


def _vacuum_rewritten(*, full: bool) -> None:
    """VACUUM cannot run in a transaction: only for a refresh of its own (the beat task,
    the command), not inside a caller's transaction (tests)."""
    if connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {', '.join(REWRITTEN_FULLY if full else REWRITTEN)}")


@contextmanager
def _serialised():
    """Two refreshes never interleave. Outside a transaction the lock is taken before it
    begins (a session lock), so a REPEATABLE READ snapshot starts after the previous
    refresh committed; inside the caller's transaction, a transaction lock as before.
    Yields whether the refresh runs its own, outermost transaction."""
    if connection.in_atomic_block:
        yield False
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
    try:
        yield True
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


def _days(notes, zone: ZoneInfo) -> tuple[set[date], set[date]]:
    """Every local day a note's [lo, hi] touches, per kind."""
    days: dict[int, set[date]] = {RollupDirty.Kind.MOVES: set(), RollupDirty.Kind.COHORT: set()}
    for kind, lo, hi in notes:
        first, last = lo.astimezone(zone).date(), hi.astimezone(zone).date()
        span = (last - first).days
        if span > FULL_REBUILD_DAYS:
            # Far too many to list; the caller rebuilds everything anyway.
            span = FULL_REBUILD_DAYS + 1
        days[kind].update(first + timedelta(days=n) for n in range(span + 1))
    return days[RollupDirty.Kind.MOVES], days[RollupDirty.Kind.COHORT]


def _bounds(days: list[date], tz: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(tz)
    start = datetime.combine(days[0], time.min, tzinfo=zone)
    end = datetime.combine(days[-1] + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def _rebuild_moves(cursor, *, tz: str, days: list[date]) -> None:
    if not days:
        return
    start, end = _bounds(days, tz)
    params = {"days": days, "start": start, "end": end}
    cursor.execute(
        "DELETE FROM funnel_rollup_flow WHERE day = ANY(%(days)s::date[]);"
        "DELETE FROM funnel_rollup_stage_time WHERE day = ANY(%(days)s::date[])",
        params,
    )
    # The range on `at` lets the covering index find the rows; the day list drops the
    # clean days inside the range.
    where = f"at >= %(start)s AND at < %(end)s AND {local_day('at')} = ANY(%(days)s::date[])"
    _insert_moves(cursor, tz=tz, where=where, params=params)


def _rebuild_cohorts(cursor, *, tz: str, days: list[date]) -> None:
    if not days:
        return
    start, end = _bounds(days, tz)
    params = {"days": days, "start": start, "end": end}
    cursor.execute("DELETE FROM funnel_rollup_cohort WHERE day = ANY(%(days)s::date[])", params)
    where = (
        f"created_at >= %(start)s AND created_at < %(end)s "
        f"AND {local_day('created_at')} = ANY(%(days)s::date[])"
    )
    _insert_cohorts(cursor, tz=tz, where=where, params=params)


def _insert_moves(cursor, *, tz: str, where: str, params: dict) -> None:
    source = moves_source(where)
    cursor.execute(
        "INSERT INTO funnel_rollup_flow (day, to_code, moves) "
        f"SELECT day, to_code, count(*) FROM ({source}) AS s GROUP BY day, to_code",
        {**params, "tz": tz},
    )
    # Durations sorted and packed as float8 (float8send: 8 bytes, big-endian) per bucket.
    cursor.execute(
        "INSERT INTO funnel_rollup_stage_time (day, from_code, bucket, moves, durations) "
        "SELECT day, from_code, bucket, count(*), "
        "string_agg(float8send(days), ''::bytea ORDER BY days) "
        f"FROM ({source}) AS s GROUP BY day, from_code, bucket",
        {**params, "tz": tz},
    )


def _insert_cohorts(cursor, *, tz: str, where: str, params: dict) -> None:
    cursor.execute(
        "INSERT INTO funnel_rollup_cohort (day, cohort, reached_lead, reached_prospect, "
        "reached_customer, reached_disqualified, reached_lost) "
        f"SELECT day, cohort, reached_lead, reached_prospect, reached_customer, "
        f"reached_disqualified, reached_lost FROM ({cohort_source(where)}) AS c",
        {**params, "tz": tz},
    )
