"""Benchmark: what keeping the keyed metric summaries costs the writers (issue 14).

The summaries are kept by database triggers, so their cost lands on whoever writes leads,
stage changes, touches and deals. This measures two writes the issue names, each in the
same run with today's triggers and with the triggers main had before the keyed summaries
(`funnel` migration 0005 alone, recreated under other names while every newer trigger is
disabled; the leads' plain owner and campaign indexes in place of leads migration 0009's
covering ones), alternating the two so load drifts hit both alike:

reassign  the 10,000 oldest owned leads given to another rep, (1) one by one through the
          one writer (`sales.services.lead_reassign`: lock, lead, open deals and tasks,
          owner history, field history), and (2) as one set-based `UPDATE leads_lead SET
          owner_id = ...`; each in a transaction rolled back afterwards, so the database is
          the same for every run. Needs a seeded database (benchmarks/funnel_scale.py).
import    the CSV import of --rows new leads (benchmarks/marketing_import.py's job, in a
          child process as the worker runs it), the leads emptied before each run. It
          wipes the leads of the database it is given.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/funnel_bench1m_bench \\
        .venv/bin/python benchmarks/funnel_write_cost.py --only reassign --repeat 2
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/funnel_wc_bench \\
        .venv/bin/python benchmarks/funnel_write_cost.py --only import --rows 1000000

Timings are printed, never asserted; docs/performance.md records them.
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import ensure_database, setup_django

# Functions and triggers of funnel migration 0005, renamed so both sets can coexist.
RENAMES = {
    "funnel_rollup_moves_": "funnel_main_moves_",
    "funnel_rollup_leads_": "funnel_main_leads_",
    "funnel_rollup_lead_changed": "funnel_main_lead_changed",
    "funnel_rollup_forget": "funnel_main_forget",
}


class Rollback(Exception):
    pass


def _main_trigger_sql() -> list[str]:
    migration = importlib.import_module("funnel.migrations.0005_metric_rollup_triggers")
    statements = []
    for statement in migration.FORWARD:
        for old, new in RENAMES.items():
            statement = statement.replace(old, new)
        statements.append(statement)
    return statements


def _user_triggers(cursor) -> list[tuple[str, str]]:
    cursor.execute(
        "SELECT tgrelid::regclass::text, tgname FROM pg_trigger "
        "WHERE NOT tgisinternal AND tgname NOT LIKE 'funnel_main_%' ORDER BY 1, 2"
    )
    return cursor.fetchall()


def use_main_triggers(cursor) -> list[tuple[str, str]]:
    """Today's triggers off, main's (before the keyed summaries) on, and the leads' plain
    owner and campaign indexes in place of the covering ones the keyed reader uses (leads
    migration 0009); returns what to undo."""
    current = _user_triggers(cursor)
    for table, name in current:
        cursor.execute(f'ALTER TABLE {table} DISABLE TRIGGER "{name}"')
    for statement in _main_trigger_sql():
        cursor.execute(statement)
    for statement in _lead_index_sql(covering=False):
        cursor.execute(statement)
    return current


def _lead_index_sql(*, covering: bool) -> list[str]:
    """Swap the leads' owner and campaign indexes: covering (today) or plain (before)."""
    migration = importlib.import_module("leads.migrations.0009_lead_key_covering_indexes")
    return migration.index_sql(covering=covering)


def use_current_triggers(cursor, disabled: list[tuple[str, str]]) -> None:
    cursor.execute(
        "SELECT tgrelid::regclass::text, tgname FROM pg_trigger "
        "WHERE NOT tgisinternal AND tgname LIKE 'funnel_main_%'"
    )
    for table, name in cursor.fetchall():
        cursor.execute(f'DROP TRIGGER "{name}" ON {table}')
    cursor.execute("SELECT oid::regprocedure::text FROM pg_proc WHERE proname LIKE 'funnel_main_%'")
    for (function,) in cursor.fetchall():
        cursor.execute(f"DROP FUNCTION {function}")
    for table, name in disabled:
        cursor.execute(f'ALTER TABLE {table} ENABLE TRIGGER "{name}"')
    for statement in _lead_index_sql(covering=True):
        cursor.execute(statement)


# --- reassign --------------------------------------------------------------------------------


def bench_reassign(count: int, repeat: int, only_write: str | None = None) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from leads.models import Lead
    from sales.services.owners import active_sales_reps, lead_reassign

    reps = list(active_sales_reps().order_by("pk").values_list("pk", flat=True))
    actor = get_user_model().objects.filter(is_superuser=True).first() or (
        get_user_model().objects.filter(groups__name="Managers").first()
    )
    leads = list(
        Lead.objects.filter(owner__isnull=False)
        .order_by("created_at", "pk")
        .values_list("pk", "owner_id")[:count]
    )
    # Each lead goes to the next rep in the list: always a real change.
    targets = [(pk, reps[(reps.index(owner) + 1) % len(reps)]) for pk, owner in leads]
    users = {user.pk: user for user in get_user_model().objects.filter(pk__in=reps)}
    moves = _moves_of([pk for pk, _ in targets])
    print(f"\nReassigning {len(targets):,} leads (their {moves:,} stage changes), PostgreSQL")

    def through_writer() -> None:
        for lead_id, rep_id in targets:
            lead_reassign(lead_id=lead_id, to_owner=users[rep_id], actor=actor)

    def set_based() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE leads_lead l SET owner_id = t.owner FROM unnest(%s::bigint[], "
                "%s::bigint[]) AS t(id, owner) WHERE l.id = t.id",
                [[pk for pk, _ in targets], [rep for _, rep in targets]],
            )

    writes = {
        "writer": ("one writer, lead by lead", through_writer),
        "set": ("set-based UPDATE", set_based),
    }
    for key, (name, write) in writes.items():
        if only_write not in (None, key):
            continue
        runs: dict[str, list[float]] = {"main's triggers": [], "today's triggers": []}
        _timed_rolled_back(write, main=False)  # warm-up: the leads and their rows cached
        for _ in range(repeat):
            for label in ("main's triggers", "today's triggers"):
                runs[label].append(_timed_rolled_back(write, main=label.startswith("main")))
        base = statistics.median(runs["main's triggers"])
        now = statistics.median(runs["today's triggers"])
        print(f"  {name}:")
        for label, seconds in runs.items():
            print(f"    {label:17} {', '.join(f'{s:6.2f}' for s in seconds)} s")
        print(f"    extra: {now - base:+.2f} s ({(now / base - 1):+.1%} of main's median)")
        for label, main in (("main's", True), ("today's", False)):
            inside = [seconds for was_main, seconds in INSIDE if was_main == main]
            print(f"    inside {label} trigger functions: {statistics.median(inside):.3f} s")
        INSIDE.clear()


def _moves_of(lead_ids: list[int]) -> int:
    from funnel.models import StageChange

    return StageChange.objects.filter(lead_id__in=lead_ids).count()


def _timed_rolled_back(write, *, main: bool) -> float:
    from django.db import connection, transaction

    elapsed = 0.0
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL track_functions = 'pl'")
                if main:
                    use_main_triggers(cursor)
                else:
                    # The same catalog churn as main's set-up, so both runs start alike.
                    for table, name in _user_triggers(cursor):
                        cursor.execute(f'ALTER TABLE {table} DISABLE TRIGGER "{name}"')
                        cursor.execute(f'ALTER TABLE {table} ENABLE TRIGGER "{name}"')
            started = time.perf_counter()
            write()
            elapsed = time.perf_counter() - started
            with connection.cursor() as cursor:
                # Time spent inside the trigger functions: steadier than the wall clock
                # on a shared machine.
                cursor.execute(
                    "SELECT coalesce(sum(self_time), 0) / 1000.0 FROM pg_stat_xact_user_functions "
                    "WHERE funcname LIKE 'funnel_%%'"
                )
                INSIDE.append((main, cursor.fetchone()[0]))
            raise Rollback
    except Rollback:
        pass
    return elapsed


INSIDE: list[tuple[bool, float]] = []


# --- import ------------------------------------------------------------------------------------


def bench_import(rows: int, repeat: int) -> None:
    import marketing_import as mi
    from django.db import connection

    from leads.models import Lead

    mi.WORK.mkdir(parents=True, exist_ok=True)
    mi.import_environment()
    name = f"leads-{rows}-r0-p0.05"
    csv_path = mi.WORK / f"{name}.csv"
    if not csv_path.exists():
        print(f"Generating {rows:,} rows …", flush=True)
        mi.generate_csv(csv_path, rows, repeats=0.0, prospects=0.05)
    print(f"\nImporting {rows:,} rows (5 % with Stage = prospect), PostgreSQL")
    runs: dict[str, list[float]] = {"main's triggers": [], "today's triggers": []}
    for _ in range(repeat):
        for label in ("main's triggers", "today's triggers"):
            mi.reset_leads()
            disabled = None
            if label.startswith("main"):
                with connection.cursor() as cursor:
                    disabled = use_main_triggers(cursor)
            try:
                _total, _peak, info = mi.import_in_child(csv_path)
                assert info["job"].status == "done", info["job"].message
                runs[label].append(float(info["run_seconds"]))
            finally:
                if disabled is not None:
                    with connection.cursor() as cursor:
                        use_current_triggers(cursor, disabled)
            print(f"  {label}: {runs[label][-1]:.1f} s, {Lead.objects.count():,} leads", flush=True)
    base = statistics.median(runs["main's triggers"])
    now = statistics.median(runs["today's triggers"])
    print(f"  extra: {now - base:+.1f} s ({(now / base - 1):+.1%} of main's median)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=["reassign", "import"], required=True)
    parser.add_argument("--leads", type=int, default=10_000, help="leads to reassign")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows to import")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument(
        "--write", choices=["writer", "set"], help="reassign: only this write (default both)"
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database whose name ends in _bench.")
    ensure_database(url)
    setup_django(settings={"CELERY_TASK_ALWAYS_EAGER": True})
    if args.only == "reassign":
        bench_reassign(args.leads, args.repeat, args.write)
    else:
        bench_import(args.rows, args.repeat)


if __name__ == "__main__":
    main()
