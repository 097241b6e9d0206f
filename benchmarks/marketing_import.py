"""Benchmark: the CSV lead import and the beat scoring task, each against the plain
database alternative, in the same run, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/funnel_mk_bench \\
        .venv/bin/python benchmarks/marketing_import.py --rows 1000000

It wipes and refills the database it is given, so it refuses any database whose name does
not end in "_bench" (and creates that database when missing).

import   A generated CSV of --rows leads (unique addresses) is (1) loaded with one raw
         `COPY ... FROM STDIN` into the leads table, timed, then the table is emptied, and
         (2) imported by the project's import job (read, validate, stage, dedupe, merge:
         `import_job_run`, the Celery task's body) in a child process whose peak RSS is
         measured. Same rows, same table, same indexes. Reports rows/s, the ratio to COPY
         and the child's peak RSS.
scoring  Over the imported leads with --touches random touches and a few fit rules, the
         two scoring schedules, each against hand-written SQL computing the same scores:
         - the full run (`marketing.tasks.scores_recompute`, hourly: every score, then the
           MQL promotion) from scores reset to zero, against one `UPDATE ... FROM
           (aggregate)`; then both again when every score is already up to date;
         - the minute run (`funnel.tasks.qualify_scored_leads`: only leads with a touch or
           an edit written since the watermark, then the promotion) after --touched leads
           got a new touch (and after that many times the minutes of the overlap: what a
           run re-reads at that rate), against the same `UPDATE` limited to those leads.
"""

import argparse
import csv
import logging
import os
import random
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _support import ensure_database, setup_django  # noqa: E402

WORK = Path(os.environ.get("FUNNEL_VAR_DIR", "/tmp/funnel-mk-bench"))

FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Tim"]
LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson"]
COUNTRIES = ["DE", "FR", "US", "UK", "ES", "IT", "NL", "SE", "PL", "JP"]
INDUSTRIES = ["Software", "Retail", "Finance", "Health", "Education", "Manufacturing"]
SIZES = ["1-10", "11-50", "51-200", "201-1000", "1001-5000", "5000+"]
HEADER = ["email", "first_name", "last_name", "company", "title", "phone", "country",
          "industry", "company_size", "marketing_consent"]  # fmt: skip


def import_environment() -> None:
    """The import runs as the worker runs it: in WORK, owner assignment in-process (no
    broker), no query log kept in memory (as in production)."""
    os.environ["FUNNEL_VAR_DIR"] = str(WORK)
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
    os.environ["DEBUG"] = "false"


def generate_csv(path: Path, rows: int, *, repeats: float, prospects: float) -> None:
    """`repeats`: share of lines that repeat an earlier line's address (in another letter
    case); `prospects`: share of lines whose Stage column says prospect."""
    rng = random.Random(1)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow([*HEADER, "stage"])
        for i in range(rows):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            n = rng.randrange(i) if i and rng.random() < repeats else i
            email = f"{FIRST[n % len(FIRST)]}.{LAST[n % len(LAST)]}.{n}@example{n % 1000}.com"
            writer.writerow(
                [
                    email.upper() if n != i else email,
                    first,
                    last,
                    f"Company {i % 50000}",
                    "Head of Marketing",
                    f"+49 30 {i:08d}",
                    rng.choice(COUNTRIES),
                    rng.choice(INDUSTRIES),
                    rng.choice(SIZES),
                    rng.choice(["yes", "no", ""]),
                    "prospect" if rng.random() < prospects else "",
                ]
            )


def copy_ready_csv(source: Path, target: Path) -> int:
    """The same leads with the columns a COPY into leads needs, one row per address (a
    raw COPY cannot dedupe) and the file's stage set directly (nor write history). Not
    timed; returns the number of leads."""
    now = "2025-01-01T00:00:00+00:00"
    seen: set[str] = set()
    with source.open(newline="", encoding="utf-8") as src, target.open("w", newline="") as out:
        reader, writer = csv.reader(src), csv.writer(out)
        next(reader)
        for row in reader:
            email = row[0].lower()
            if email in seen:
                continue
            seen.add(email)
            consent = "t" if row[9] == "yes" else "f"
            writer.writerow([email, *row[1:9], consent, row[10] or "lead", 0, now, now])
    return len(seen)


def reset_leads() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE leads_lead, funnel_stagechange, marketing_touch, marketing_import_row "
            "RESTART IDENTITY CASCADE"
        )
        cursor.execute("VACUUM ANALYZE leads_lead")


def raw_copy(path: Path) -> float:
    from django.db import connection

    columns = [*HEADER[:9], "marketing_consent", "stage", "score", "created_at", "updated_at"]
    sql = f"COPY leads_lead ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)"
    started = time.perf_counter()
    with connection.cursor() as cursor, path.open("rb") as data:
        cursor.cursor.copy_expert(sql, data, size=256 * 1024)
    return time.perf_counter() - started


def import_in_child(csv_path: Path) -> tuple[float, int, dict]:
    from marketing.models import ImportJob

    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, __file__, "--child-import", str(csv_path)],
        env=os.environ,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if result.returncode:
        sys.exit(result.stderr[-4000:])
    job = ImportJob.objects.order_by("-pk").first()
    timings = dict(line.split("=", 1) for line in result.stdout.split() if "=" in line)
    peak_kb = int(timings["peak_kb"])
    phases = [
        line.split(": ", 1)[1]
        for line in result.stderr.splitlines()
        if "Import " in line and " in " in line
    ]
    return elapsed, peak_kb, {"job": job, "phases": phases, **timings}


def child_import(csv_path: Path) -> None:
    """Runs in its own process: upload, map, run the job exactly as the worker does."""
    # A forked child starts with its parent's resident pages counted in its peak: reset the
    # high-water mark (Linux), so the peak printed at the end is this process's own.
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")
    import_environment()
    setup_django(migrate=False)
    from django.core.files import File

    from marketing.imports import services

    with csv_path.open("rb") as handle:
        upload = File(handle, name=csv_path.name)
        upload.size = csv_path.stat().st_size
        job = services.import_job_create(upload=upload, encoding="utf-8", actor=None)
    started = time.perf_counter()
    # Queues the Celery task, which (eager here) runs at once, in this process.
    campaign = None
    if os.environ.get("BENCH_IMPORT_CAMPAIGN"):
        from marketing.models import Campaign

        campaign = Campaign.objects.get(pk=os.environ["BENCH_IMPORT_CAMPAIGN"])
    services.import_job_start(
        job=job,
        mapping=job.mapping,
        delimiter=",",
        dry_run=False,
        skip_bad_lines=False,
        campaign=campaign,
        touch_kind="event_attended" if campaign else "",
    )
    print(f"run_seconds={time.perf_counter() - started:.2f}")
    status = Path("/proc/self/status").read_text()
    peak_kb = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))
    print(f"peak_kb={peak_kb}")


def bench_import(rows: int, *, repeats: float, prospects: float, with_touches: bool) -> None:
    from leads.models import Lead

    name = f"leads-{rows}-r{repeats:g}-p{prospects:g}"
    csv_path, copy_path = WORK / f"{name}.csv", WORK / f"{name}-copy.csv"
    if not csv_path.exists():
        print(f"Generating {rows:,} rows …", flush=True)
        generate_csv(csv_path, rows, repeats=repeats, prospects=prospects)
    leads = copy_ready_csv(csv_path, copy_path)
    size_mb = csv_path.stat().st_size / 1024**2
    reset_leads()
    copy_seconds = raw_copy(copy_path)
    assert Lead.objects.count() == leads
    reset_leads()
    if with_touches:
        # An event's attendees: every lead gets the campaign and a touch from it.
        from marketing.models import Campaign

        campaign, _ = Campaign.objects.get_or_create(name="Benchmark expo")
        os.environ["BENCH_IMPORT_CAMPAIGN"] = str(campaign.pk)
    total, peak_kb, info = import_in_child(csv_path)
    job = info["job"]
    assert job.status == "done", job.message
    assert Lead.objects.count() == leads, Lead.objects.count()
    run_seconds = float(info["run_seconds"])
    touches = ", with a campaign and a touch per lead" if with_touches else ""
    print(f"\nImport of {rows:,} rows ({size_mb:,.0f} MB CSV{touches}), PostgreSQL")
    print(
        f"  {leads:,} distinct addresses ({repeats:.0%} of lines repeat one), "
        f"{prospects:.0%} of lines with Stage = prospect"
    )
    copy_rate, run_rate = leads / copy_seconds, rows / run_seconds
    print(f"  raw COPY into leads_lead:          {copy_seconds:7.1f} s  {copy_rate:9,.0f} rows/s")
    print(f"  import job (read+stage+merge):     {run_seconds:7.1f} s  {run_rate:9,.0f} rows/s")
    print(f"  import / COPY throughput:          {copy_seconds / run_seconds:7.0%}")
    print(f"  child process incl. Django start:  {total:7.1f} s")
    print(f"  peak RSS of the importing process: {peak_kb / 1024:7.0f} MB")
    for phase in info["phases"]:
        print(f"    {phase}")
    print(f"  job: {job.message}")


def bench_scoring(touches: int, repeat: int, touched: int) -> None:
    from django.conf import settings
    from django.db import connection

    from config.celery import app
    from leads.models import Lead
    from marketing.models import FitRule, ScoringRules, ScoringWatermark
    from marketing.scoring import leads_promote, scores_refresh
    from marketing.tasks import scores_recompute

    app.conf.task_always_eager = True
    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
    leads = Lead.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE marketing_touch, funnel_stagechange RESTART IDENTITY")
        # Every input written an hour ago: before any minute run's watermark and overlap.
        cursor.execute(
            "UPDATE leads_lead SET stage = 'lead', became_prospect_at = NULL, "
            "updated_at = now() - interval '1 hour'"
        )
        # Random touches over the last year: kinds, leads and ages spread evenly (ids may
        # have gaps: an import skips ids on repeated addresses).
        cursor.execute(
            f"""
            WITH ids AS (SELECT array_agg(id) AS a FROM leads_lead)
            INSERT INTO marketing_touch (lead_id, kind, at, utm_source, utm_medium,
                                         utm_campaign, utm_content, utm_term, recorded_at)
            SELECT ids.a[1 + floor(random() * %s)::int], {RANDOM_KIND},
                   now() - random() * interval '365 days', '', '', '', '', '',
                   now() - interval '1 hour'
            FROM ids, generate_series(1, %s)
            """,
            [leads, touches],
        )
        cursor.execute("VACUUM ANALYZE marketing_touch")
        cursor.execute("VACUUM ANALYZE leads_lead")
    FitRule.objects.all().delete()
    FitRule.objects.create(field="industry", value="software", points=10)
    FitRule.objects.create(field="company_size", value="51-200", points=8)
    FitRule.objects.create(field="country", value="de", points=3)
    # High enough that the promotion moves a realistic few percent, not everyone.
    ScoringRules.objects.update(mql_threshold=35)
    hand_sql = hand_written_update()

    def reset() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE leads_lead SET score = 0, stage = 'lead', owner_id = NULL, "
                "became_prospect_at = NULL, stage_changed_at = NULL, "
                "updated_at = now() - interval '1 hour'"
            )
            cursor.execute("TRUNCATE funnel_stagechange")
            cursor.execute("VACUUM ANALYZE leads_lead")

    def timed(fn) -> float:
        started = time.perf_counter()
        fn()
        return time.perf_counter() - started

    def run_sql(sql: str, params=()) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    # The full run (hourly), from scores reset to zero, then with every score up to date.
    results = {"task_cold": [], "sql_cold": [], "task_warm": [], "sql_warm": []}
    moved = 0
    for _ in range(repeat):
        reset()
        results["sql_cold"].append(timed(lambda: run_sql(hand_sql)))
        results["sql_warm"].append(timed(lambda: run_sql(hand_sql)))
        reset()
        started = time.perf_counter()
        moved = scores_recompute()
        results["task_cold"].append(time.perf_counter() - started)
        results["task_warm"].append(timed(scores_recompute))
    best = {name: min(values) for name, values in results.items()}
    print(f"\nScoring over {leads:,} leads and {touches:,} touches, PostgreSQL")
    print(f"(best of {repeat} runs each)")
    print("Full run, `marketing.tasks.scores_recompute` (hourly):")
    for key, label in (("cold", "every score changes (first run):"), ("warm", "steady state:")):
        task, sql = best[f"task_{key}"], best[f"sql_{key}"]
        print(
            f"  {label:34} task {task:6.2f} s   hand-written SQL {sql:6.2f} s   "
            f"ratio {task / sql:4.2f}"
        )
    print(f"  the first task run also promoted {moved:,} leads to prospect (history, owners).")

    # The minute run: scores up to date, the last run a minute ago, then `n` leads get a
    # new touch each. The minute task and the hand-written SQL each get their own batch.
    overlap_minutes = settings.SCORING_WATERMARK_OVERLAP_SECONDS / 60
    batches = [touched, round(touched * (1 + overlap_minutes))]

    def new_touches(n: int) -> None:
        with connection.cursor() as cursor:
            # What earlier scenarios wrote moves back out of the overlap (an index range
            # each); then the watermark says the last run was a minute ago.
            cursor.execute(
                "UPDATE marketing_touch SET recorded_at = now() - interval '1 hour' "
                "WHERE recorded_at > now() - interval '1 hour'"
            )
            cursor.execute(
                "UPDATE leads_lead SET updated_at = now() - interval '1 hour' "
                "WHERE updated_at > now() - interval '1 hour'"
            )
            cursor.execute(
                f"""
                INSERT INTO marketing_touch (lead_id, kind, at, utm_source, utm_medium,
                                             utm_campaign, utm_content, utm_term, recorded_at)
                SELECT id, {RANDOM_KIND}, now(), '', '', '', '', '', now()
                FROM leads_lead ORDER BY random() LIMIT %s
                """,
                [n],
            )
        ScoringWatermark.objects.update_or_create(
            pk=1, defaults={"scored_through": timezone_now() - timedelta(minutes=1)}
        )

    hand_minute = hand_written_update(since=True)
    overlap = settings.SCORING_WATERMARK_OVERLAP_SECONDS + 60
    minute = {n: [] for n in batches}
    scores_recompute()
    for _ in range(repeat):
        for n in batches:
            new_touches(n)
            sql = timed(lambda: run_sql(hand_minute, [overlap] * 4))
            new_touches(n)
            # The task's body (`leads_qualify`), its two steps timed apart: the rescoring
            # is what the hand-written SQL does; the promotion writes history and owners.
            rescore = timed(scores_refresh)
            started = time.perf_counter()
            moved = len(leads_promote())
            minute[n].append((rescore + time.perf_counter() - started, rescore, sql, moved))
    print(
        f"Minute run, `funnel.tasks.qualify_scored_leads` (overlap "
        f"{settings.SCORING_WATERMARK_OVERLAP_SECONDS} s), leads with a new touch:"
    )
    for n in batches:
        task, rescore, sql, moved = min(minute[n])
        print(
            f"  {n:7,} leads: task {task:5.2f} s (rescoring {rescore:5.2f} s, promotion of "
            f"{moved:,} leads {task - rescore:5.2f} s)   hand-written SQL {sql:5.2f} s   "
            f"rescoring / SQL {rescore / sql:4.2f}"
        )


RANDOM_KIND = """(ARRAY['form_submit','page_visit','email_open','email_click',
                        'content_download','webinar_attended','event_attended'])
                     [1 + floor(random() * 7)::int]"""


def credit_triggers(*, enable: bool) -> None:
    """Switch the campaign credit triggers on or off, to measure what they cost."""
    import importlib

    from django.db import connection

    triggers = importlib.import_module("funnel.migrations.0009_credit_rollup_triggers").TRIGGERS
    with connection.cursor() as cursor:
        for table, names in triggers.items():
            for name in names:
                verb = "ENABLE" if enable else "DISABLE"
                cursor.execute(f"ALTER TABLE {table} {verb} TRIGGER {name}")
    print(f"Campaign credit triggers {'enabled' if enable else 'disabled'}.")


def timezone_now():
    from django.utils import timezone

    return timezone.now()


def hand_written_update(*, since: bool = False) -> str:
    """The score of every lead in one `UPDATE ... FROM (aggregate)`; with `since`, only of
    leads with a touch or an edit written in the last %s seconds (four parameters)."""
    from marketing.scoring import scoring_rules_get

    rules = scoring_rules_get()
    points = " ".join(f"WHEN '{kind}' THEN {value}" for kind, value in rules.touch_points.items())
    rate = -0.6931471805599453 / rules.half_life_days
    changed = (
        "(SELECT lead_id FROM marketing_touch "
        "WHERE recorded_at >= now() - %s * interval '1 second' "
        "UNION SELECT id FROM leads_lead WHERE updated_at >= now() - %s * interval '1 second')"
    )
    only_leads = f"WHERE l2.id IN {changed}" if since else ""
    only_touches = f"WHERE lead_id IN {changed}" if since else ""
    return f"""
        UPDATE leads_lead l SET score = v.new
        FROM (
            SELECT l2.id, ROUND((COALESCE(t.total, 0)
                + CASE WHEN upper(l2.industry) = 'SOFTWARE' THEN 10 ELSE 0 END
                + CASE WHEN upper(l2.company_size) = '51-200' THEN 8 ELSE 0 END
                + CASE WHEN upper(l2.country) = 'DE' THEN 3 ELSE 0 END)::numeric, 2)::float8 AS new
            FROM leads_lead l2
            LEFT JOIN (
                SELECT lead_id, SUM((CASE kind {points} ELSE 0 END)
                    * exp({rate} * greatest(extract(epoch FROM now() - at) / 86400.0, 0))) AS total
                FROM marketing_touch {only_touches} GROUP BY lead_id
            ) t ON t.lead_id = l2.id
            {only_leads}
        ) v
        WHERE v.id = l.id AND l.score <> v.new
    """


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=float, default=0.0, help="share of repeated lines")
    parser.add_argument("--prospects", type=float, default=0.0, help="share with a stage")
    parser.add_argument("--touches", type=int, default=2_000_000)
    parser.add_argument(
        "--touched", type=int, default=1000, help="leads touched before a minute run"
    )
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--only", choices=["import", "scoring"])
    parser.add_argument(
        "--with-touches", action="store_true", help="import with a campaign and its touches"
    )
    parser.add_argument(
        "--without-credit-triggers",
        action="store_true",
        help="disable the campaign credit triggers (funnel migration 0009) for this run",
    )
    parser.add_argument("--child-import", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_import:
        child_import(args.child_import)
        return
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database whose name ends in _bench.")
    ensure_database(url)
    WORK.mkdir(parents=True, exist_ok=True)
    import_environment()
    setup_django()
    if args.without_credit_triggers:
        credit_triggers(enable=False)
    try:
        if args.only != "scoring":
            bench_import(
                args.rows,
                repeats=args.repeats,
                prospects=args.prospects,
                with_touches=args.with_touches,
            )
    finally:
        if args.without_credit_triggers:
            credit_triggers(enable=True)
    if args.only != "import":
        bench_scoring(args.touches, args.repeat, args.touched)


if __name__ == "__main__":
    main()
