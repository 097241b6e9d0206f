"""Benchmark: the stale-prospect and cadence sweeps over 100,000 prospects, against the
equivalent hand-written SQL, in the same run, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/funnel_sa_bench \\
        .venv/bin/python benchmarks/sales_tasks.py --prospects 100000 --repeat 3

It wipes and refills the database it is given, so it refuses any database whose name does
not end in "_bench" (and creates that database when missing). For each scenario it runs
the project's task code and the hand-written SQL alternately from the same starting data
(reset between runs, not timed), and prints the median of each and their ratio.

Scenarios
- cadence, catch-up: every active enrolment's due steps become tasks (a few per
  enrolment), each enrolment's progress moves on, finished ones are completed.
- cadence, steady state: the same sweep again, when nothing new is due: the cost of a
  run that finds nothing, every five minutes.
- stale recycle: prospects quiet for SALES_RECYCLE_AFTER_DAYS go back to lead (history
  row, stage update, their enrolments stopped), through the set-based mover in batches
  of FUNNEL_BULK_MOVE_BATCH rows.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _support import ensure_database, setup_django  # noqa: E402

RECYCLE_AFTER_DAYS = 45
STEPS = [(0, "email", "Intro"), (2, "call", "Discovery"), (5, "email", "Story"),
         (9, "call", "Follow-up"), (14, "task", "Decide")]  # fmt: skip
REASON = f"No sales activity for {RECYCLE_AFTER_DAYS} days: recycled to marketing."


def sql(statement: str, params=None) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return cursor.rowcount


def fill(prospects: int) -> None:
    """Reps, `prospects` prospects with their move into prospect, one 5-step sequence
    with everyone enrolled. Quiet time is uniform over 0-64 days (≈30% past the 45-day
    limit); enrolments started 0-20 days ago (about three steps due each)."""
    from django.contrib.auth.models import Group

    from funnel.roles import SALES

    sql(
        "TRUNCATE sales_activity, sales_enrolment, sales_sequencestep, sales_sequence, "
        "sales_deal, sales_ownerchange, sales_quota, funnel_stagechange, leads_lead "
        "RESTART IDENTITY CASCADE"
    )
    sql("DELETE FROM auth_user_groups")
    sql("DELETE FROM auth_user WHERE username LIKE 'benchrep%%'")
    group, _ = Group.objects.get_or_create(name=SALES)
    sql(
        "INSERT INTO auth_user (username, password, is_superuser, first_name, last_name, "
        "email, is_staff, is_active, date_joined) SELECT 'benchrep' || g, '!', false, '', '', "
        "'', false, true, now() FROM generate_series(1, 10) g"
    )
    sql(
        "INSERT INTO auth_user_groups (user_id, group_id) SELECT id, %s FROM auth_user "
        "WHERE username LIKE 'benchrep%%'",
        [group.pk],
    )
    sql("SELECT setseed(0.42)")
    sql(
        """
        INSERT INTO leads_lead (email, first_name, last_name, company, title, phone, country,
            industry, company_size, stage, stage_changed_at, became_prospect_at, owner_id,
            score, marketing_consent, last_activity_at, created_at, updated_at)
        SELECT 'p' || g || '@bench.example', '', '', '', '', '', '', '', '', 'prospect',
            x.became, x.became, first_rep.id + g %% 10, 60, false,
            CASE WHEN x.worked THEN x.quiet_since END, x.became - interval '10 days', now()
        FROM generate_series(1, %s) g
        CROSS JOIN (SELECT min(id) AS id FROM auth_user WHERE username LIKE 'benchrep%%') first_rep
        -- `g` inside the lateral makes PostgreSQL draw new random numbers for every row.
        CROSS JOIN LATERAL (
            SELECT q.quiet_since, q.worked,
                   -- Worked prospects became prospects before their last activity.
                   CASE WHEN q.worked THEN q.quiet_since - (q.r * 30) * interval '1 day'
                        ELSE q.quiet_since END AS became
            FROM (SELECT now() - (random() * 64 + g * 0) * interval '1 day' AS quiet_since,
                         random() + g * 0 AS r, random() + g * 0 < 0.8 AS worked) q
        ) x
        """,
        [prospects],
    )
    sql(
        "INSERT INTO funnel_stagechange (lead_id, from_stage, to_stage, at, "
        "from_stage_entered_at, cause, reason) SELECT id, 'lead', 'prospect', stage_changed_at, "
        "created_at, 'rule', 'Score reached the MQL threshold.' FROM leads_lead"
    )
    sql(
        "INSERT INTO sales_sequence (name, description, is_active, created_at, updated_at) "
        "VALUES ('Bench cadence', '', true, now(), now())"
    )
    for position, (offset, kind, subject) in enumerate(STEPS, start=1):
        sql(
            "INSERT INTO sales_sequencestep (sequence_id, position, day_offset, kind, subject) "
            "SELECT id, %s, %s, %s, %s FROM sales_sequence",
            [position, offset, kind, subject],
        )
    sql(
        "INSERT INTO sales_enrolment (sequence_id, lead_id, status, started_at, last_position, "
        "stop_reason, created_at) SELECT s.id, l.id, 'active', "
        "now() - (random() * 20 + l.id * 0) * interval '1 day', 0, '', now() "
        "FROM leads_lead l, sales_sequence s"
    )
    # The first step is on day 0: due at the start.
    sql("UPDATE sales_enrolment SET next_due_at = started_at")
    vacuum()


def vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def reset_cadence() -> None:
    sql("DELETE FROM sales_activity")
    sql(
        "UPDATE sales_enrolment SET status = 'active', ended_at = NULL, stop_reason = '', "
        "last_position = 0, next_due_at = started_at"
    )
    vacuum()


def reset_stale() -> None:
    sql("DELETE FROM funnel_stagechange WHERE to_stage = 'lead'")
    sql(
        "UPDATE leads_lead l SET stage = 'prospect', stage_changed_at = sc.at FROM "
        "funnel_stagechange sc WHERE sc.lead_id = l.id AND sc.to_stage = 'prospect' "
        "AND l.stage <> 'prospect'"
    )
    sql(
        "UPDATE sales_enrolment SET status = 'active', ended_at = NULL, stop_reason = '', "
        "last_position = 0, next_due_at = started_at"
    )
    vacuum()


# --- The hand-written SQL: what a careful developer would write for each task ----------

CADENCE_SQL = """
WITH due AS MATERIALIZED (
    SELECT e.lead_id, COALESCE(l.owner_id, e.enrolled_by_id), s.kind, s.subject, '',
           e.started_at + s.day_offset * interval '1 day', e.id, s.id, %(now)s, %(now)s
    FROM sales_enrolment e
    JOIN leads_lead l ON l.id = e.lead_id
    JOIN sales_sequencestep s ON s.sequence_id = e.sequence_id
    WHERE e.status = 'active' AND e.next_due_at <= %(now)s AND l.stage = 'prospect'
      AND s.position > e.last_position
      AND e.started_at + s.day_offset * interval '1 day' <= %(now)s
)
INSERT INTO sales_activity (lead_id, owner_id, kind, subject, body, due_at, enrolment_id,
                            step_id, created_at, updated_at)
SELECT * FROM due
ON CONFLICT (enrolment_id, step_id) DO NOTHING;

UPDATE sales_enrolment e SET
    last_position = (
        SELECT max(s.position) FROM sales_sequencestep s WHERE s.sequence_id = e.sequence_id
           AND e.started_at + s.day_offset * interval '1 day' <= %(now)s),
    next_due_at = (
        SELECT min(e.started_at + s.day_offset * interval '1 day') FROM sales_sequencestep s
        WHERE s.sequence_id = e.sequence_id
          AND e.started_at + s.day_offset * interval '1 day' > %(now)s)
FROM leads_lead l
WHERE e.status = 'active' AND e.next_due_at <= %(now)s AND l.id = e.lead_id
  AND l.stage = 'prospect';

UPDATE sales_enrolment SET status = 'completed', ended_at = %(now)s, stop_reason = ''
WHERE status = 'active' AND next_due_at IS NULL;
"""

STALE_SQL = """
WITH stale AS (
    SELECT id FROM leads_lead
    WHERE stage = 'prospect'
      AND GREATEST(COALESCE(last_activity_at, created_at), COALESCE(stage_changed_at, created_at))
          <= %(cutoff)s
    FOR UPDATE SKIP LOCKED
), history AS (
    INSERT INTO funnel_stagechange (lead_id, from_stage, to_stage, at, from_stage_entered_at,
                                    actor_id, cause, reason)
    SELECT l.id, l.stage, 'lead', %(now)s, COALESCE(l.stage_changed_at, l.created_at), NULL,
           'task', %(reason)s
    FROM leads_lead l JOIN stale ON stale.id = l.id
), moved AS (
    UPDATE leads_lead l SET stage = 'lead', stage_changed_at = %(now)s, updated_at = %(now)s
    FROM stale WHERE l.id = stale.id
    RETURNING l.id
)
UPDATE sales_enrolment SET status = 'stopped', ended_at = %(now)s,
       stop_reason = 'The lead moved to lead.'
WHERE status = 'active' AND lead_id IN (SELECT id FROM moved);
"""


def run_sql(statement: str, params: dict) -> None:
    from django.db import transaction

    with transaction.atomic():
        sql(statement, params)


def timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def compare(name: str, project, hand_written, reset, repeat: int, check) -> dict:
    orm, raw = [], []
    for _ in range(repeat):
        reset()
        orm.append(timed(project))
        expected = check()
        reset()
        raw.append(timed(hand_written))
        assert check() == expected, f"{name}: the two variants disagree ({check()} vs {expected})"
    result = {
        "scenario": name,
        "project_s": statistics.median(orm),
        "sql_s": statistics.median(raw),
        "rows": expected,
    }
    result["ratio"] = result["project_s"] / result["sql_s"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prospects", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL database whose name ends in _bench.")
    ensure_database(url)
    setup_django(settings={"SALES_RECYCLE_AFTER_DAYS": RECYCLE_AFTER_DAYS})

    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from sales import services
    from sales.models import Activity, Enrolment

    started = time.perf_counter()
    fill(args.prospects)
    print(f"filled {args.prospects:,} prospects in {time.perf_counter() - started:.1f}s")
    now = timezone.now()
    cutoff = now - timedelta(days=RECYCLE_AFTER_DAYS)

    def cadence_outcome():
        return (
            Activity.objects.count(),
            Enrolment.objects.filter(status="completed").count(),
        )

    def stale_outcome():
        return (
            sql("SELECT 1 FROM leads_lead WHERE stage = 'lead'"),
            Enrolment.objects.filter(status="stopped").count(),
        )

    def steady_reset():
        reset_cadence()
        services.sequence_steps_create_due(now=now)
        vacuum()

    results = [
        compare(
            "cadence, catch-up",
            lambda: services.sequence_steps_create_due(now=now),
            lambda: run_sql(CADENCE_SQL, {"now": now}),
            reset_cadence,
            args.repeat,
            cadence_outcome,
        ),
        compare(
            "cadence, steady state",
            lambda: services.sequence_steps_create_due(now=now),
            lambda: run_sql(CADENCE_SQL, {"now": now}),
            steady_reset,
            args.repeat,
            cadence_outcome,
        ),
        compare(
            "stale recycle",
            lambda: services.stale_prospects_recycle(now=now),
            lambda: run_sql(STALE_SQL, {"now": now, "cutoff": cutoff, "reason": REASON}),
            reset_stale,
            args.repeat,
            stale_outcome,
        ),
    ]
    version = connection.cursor().connection.server_version
    print(
        f"PostgreSQL {version // 10000}.{version % 10000}, {args.prospects:,} prospects, "
        f"median of {args.repeat}, batch {settings.FUNNEL_BULK_MOVE_BATCH}"
    )
    print(f"{'scenario':<24}{'rows':>22}{'project':>10}{'SQL':>9}{'ratio':>8}")
    for r in results:
        rows = ", ".join(f"{n:,}" for n in r["rows"])
        print(
            f"{r['scenario']:<24}{rows:>22}{r['project_s']:>9.2f}s{r['sql_s']:>8.2f}s"
            f"{r['ratio']:>7.2f}x"
        )


if __name__ == "__main__":
    main()
