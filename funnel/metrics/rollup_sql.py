"""SQL shared by the rollup refresh and the rollup reader (PostgreSQL).

Both sides compute a move's day, stage codes, duration and duration bucket with the very
same expressions, so a duration read from a rollup is bit-for-bit the one the live query
(funnel.metrics.selectors, `DaysBetween`) would sort.
"""

from __future__ import annotations

from funnel.metrics.figures import MILESTONE_COLUMNS, STAGE_CODES

# Same text as DaysBetween.as_postgresql: date_part gives float8 directly.
DURATION_DAYS = "(date_part('epoch', at - from_stage_entered_at) / 86400.0)"

# Duration buckets ~10 % wide (ln(1 + minutes) * 10): about 130 buckets cover a year. The
# function only needs to be non-decreasing in the duration: every value in bucket b is
# below every value in bucket b + 1, so a rank falls in one bucket and only that bucket's
# durations are read to find it.
BUCKET_OF = "(CASE WHEN {d} > 0 THEN floor(ln(1 + {d} * 1440) * 10)::int ELSE 0 END)"


def local_day(column: str) -> str:
    """`column`'s calendar day in the zone given as the %(tz)s parameter."""
    return f"(({column} AT TIME ZONE %(tz)s)::date)"


def stage_code(column: str) -> str:
    whens = " ".join(f"WHEN '{stage}' THEN {code}" for stage, code in STAGE_CODES.items())
    return f"(CASE {column} {whens} END)"


def moves_source(where: str) -> str:
    """One row per move: day, from/to codes, duration in days and its bucket."""
    return (
        f"SELECT day, from_code, to_code, days, {BUCKET_OF.format(d='days')} AS bucket "
        f"FROM (SELECT {local_day('at')} AS day, {stage_code('from_stage')} AS from_code, "
        f"{stage_code('to_stage')} AS to_code, {DURATION_DAYS} AS days "
        f"FROM funnel_stagechange WHERE {where}) AS m"
    )


def cohort_source(where: str) -> str:
    """Per local creation day: cohort size and members that reached each stage."""
    counts = ", ".join(
        f"count({column}) AS reached_{stage}" for stage, column in MILESTONE_COLUMNS.items()
    )
    return (
        f"SELECT {local_day('created_at')} AS day, count(*) AS cohort, {counts} "
        f"FROM leads_lead WHERE {where} GROUP BY 1"
    )
