"""What the campaign credit triggers (funnel migration 0009) cost the writes they watch:
deals won through `sales.services.deal_win` and touches logged one by one
(`Touch.objects.create`, as capture and the touches API do), each with the triggers on and
off, alternately, in the same run. (The CSV import with touches: benchmarks/
marketing_import.py --with-touches [--without-credit-triggers].)

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/funnel_roi_bench \\
        .venv/bin/python benchmarks/credit_write_cost.py --wins 200 --rounds 3

Runs on a seeded database (benchmarks/funnel_scale.py seeds one); every write is rolled
back, so the data stays as seeded.
"""

import argparse
import importlib
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("DEBUG", "false")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from funnel.stages import Cause  # noqa: E402
from marketing.models import Campaign, Touch  # noqa: E402
from sales.models import Deal  # noqa: E402
from sales.services import deal_win  # noqa: E402

TRIGGERS = importlib.import_module("funnel.migrations.0009_credit_rollup_triggers").TRIGGERS


class _RolledBack(Exception):
    pass


def triggers(enable: bool) -> None:
    with connection.cursor() as cursor:
        for table, names in TRIGGERS.items():
            for name in names:
                verb = "ENABLE" if enable else "DISABLE"
                cursor.execute(f"ALTER TABLE {table} {verb} TRIGGER {name}")


def notes() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM funnel_rollup_credit_dirty")
        return cursor.fetchone()[0]


def trigger_ms() -> float:
    """Time spent in the credit trigger functions in this transaction (track_functions)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(total_time), 0) FROM pg_stat_xact_user_functions "
            "WHERE funcname LIKE 'funnel_credit_%%'"
        )
        return float(cursor.fetchone()[0])


def round_of(deals: list[Deal], campaign: Campaign, *, enabled: bool) -> tuple:
    """Wins of `deals` and one touch for each of their leads, one by one (each in its
    own savepoint, as a request's transaction); (ms per win, ms per touch, notes, ms per
    write spent inside the trigger functions)."""
    # Switched and committed before the round: an ALTER TABLE inside the round's
    # transaction would slow every later statement on those tables.
    triggers(enabled)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL track_functions = 'pl'")
            began = time.perf_counter()
            for deal in deals:
                deal_win(deal_id=deal.pk, actor=deal.owner, cause=Cause.MANUAL)
            wins = time.perf_counter() - began
            now = timezone.now()
            began = time.perf_counter()
            for deal in deals:
                Touch.objects.create(
                    lead_id=deal.lead_id,
                    campaign=campaign,
                    kind="page_visit",
                    at=now - timedelta(days=30),
                )
            touches = time.perf_counter() - began
            written = notes()
            inside = trigger_ms() / (2 * len(deals))
            raise _RolledBack
    except _RolledBack:
        pass
    return wins * 1000 / len(deals), touches * 1000 / len(deals), written, inside


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wins", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run this against PostgreSQL (DATABASE_URL).")
    deals = list(
        Deal.objects.filter(
            status="open", lead__stage__in=["prospect", "customer"], owner__isnull=False
        )
        .select_related("owner")
        .order_by("pk")[: args.wins]
    )
    campaign = Campaign.objects.order_by("pk").first()
    round_of(deals[:10], campaign, enabled=True)  # warm-up
    results = {True: [], False: []}
    print(f"{len(deals)} deals won and {len(deals)} touches per round; load {os.getloadavg()}")
    try:
        rounds(deals, campaign, args.rounds, results)
    finally:
        triggers(True)
    for index, what in ((0, "win"), (1, "touch")):
        on = statistics.median(r[index] for r in results[True])
        off = statistics.median(r[index] for r in results[False])
        print(f"  median per {what}: {on:.2f} ms with, {off:.2f} ms without ({on / off - 1:+.1%})")
    print(f"  load average after: {os.getloadavg()}")


def rounds(deals, campaign, count: int, results: dict) -> None:
    for n in range(count):
        for enabled in (False, True) if n % 2 == 0 else (True, False):  # drift evens out
            win, touch, written, inside = round_of(deals, campaign, enabled=enabled)
            results[enabled].append((win, touch))
            state = "on " if enabled else "off"
            print(
                f"  round {n + 1}, triggers {state}: {win:6.2f} ms a win, "
                f"{touch:5.2f} ms a touch, {written} notes, "
                f"{inside:.3f} ms a write inside the triggers",
                flush=True,
            )


if __name__ == "__main__":
    main()
