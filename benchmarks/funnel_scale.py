"""Scale benchmark for the funnel metrics, the dashboard and deep lead-list pages.

Run against a PostgreSQL database of its own (it seeds it when it holds fewer leads than
asked), e.g.:

    createdb -h 127.0.0.1 -U postgres funnel_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/funnel_bench \\
        .venv/bin/python benchmarks/funnel_scale.py --leads 1000000

It measures, in one run and in-process (Django test client, no network):
- GET /api/v1/metrics/funnel/ for the last 12 calendar months grouped by month, against
  one hand-written SQL statement computing the same figures (cohort and reached per
  stage, flow, median/p90 days in stage, per month and in total);
- the lead list (HTML and API) at page 10,000 (or the last page of a smaller database)
  against page 1, with a deep cursor built from the row where that page starts (keyset
  pagination: no OFFSET, no COUNT(*));
- the dashboard overview page against its API call;
- the breakdowns (by owner, campaign, channel), filters alone and combined, a rep's own
  figures and the campaign ROI tab and API, each against a hand-written SQL statement
  computing the same figures (benchmarks/funnel_breakdowns.py; `--only breakdowns` runs
  this part alone).
Each figure is the median of --repeat timed runs after one warm-up. Timings are printed,
never asserted; docs/performance.md records them with the machine and the command.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # Its sibling funnel_breakdowns.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("DEBUG", "false")

import django

django.setup()

import funnel_breakdowns  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from funnel.metrics import selectors  # noqa: E402
from funnel.metrics.rollup_refresh import rollups_refresh  # noqa: E402
from funnel.metrics.window import default_window  # noqa: E402
from funnel.pagination import CursorPagination  # noqa: E402
from funnel.services import leads_move_bulk  # noqa: E402
from funnel.stages import Cause, Stage  # noqa: E402
from leads.models import Lead  # noqa: E402
from leads.views import PAGE_SIZE as LEAD_LIST_PAGE_SIZE  # noqa: E402
from marketing import metrics  # noqa: E402
from marketing.credit_rollup import credits_refresh  # noqa: E402
from marketing.models import Campaign  # noqa: E402

HAND_WRITTEN = """
WITH cohort AS (
    SELECT date_trunc('month', created_at AT TIME ZONE %(tz)s) AS month,
           count(*) AS cohort,
           count(became_prospect_at) AS prospect, count(became_customer_at) AS customer,
           count(became_disqualified_at) AS disqualified, count(became_lost_at) AS lost,
           count(returned_to_lead_at) AS back_to_lead
    FROM leads_lead
    WHERE created_at >= %(start)s AND created_at < %(end)s
    GROUP BY ROLLUP (1)
), moves AS (
    SELECT from_stage, date_trunc('month', at AT TIME ZONE %(tz)s) AS month,
           count(*) AS moves,
           percentile_cont(0.5) WITHIN GROUP (
               ORDER BY extract(epoch FROM at - from_stage_entered_at) / 86400) AS median_days,
           percentile_cont(0.9) WITHIN GROUP (
               ORDER BY extract(epoch FROM at - from_stage_entered_at) / 86400) AS p90_days,
           count(*) FILTER (WHERE to_stage = 'lead') AS into_lead,
           count(*) FILTER (WHERE to_stage = 'prospect') AS into_prospect,
           count(*) FILTER (WHERE to_stage = 'customer') AS into_customer,
           count(*) FILTER (WHERE to_stage = 'disqualified') AS into_disqualified,
           count(*) FILTER (WHERE to_stage = 'lost') AS into_lost
    FROM funnel_stagechange
    WHERE at >= %(start)s AND at < %(end)s
    GROUP BY GROUPING SETS ((from_stage, 2), (from_stage))
)
SELECT 'cohort', NULL, month, cohort, prospect, customer, disqualified, lost, back_to_lead,
       NULL::float8, NULL::float8
FROM cohort
UNION ALL
SELECT 'moves', from_stage, month, moves, into_lead, into_prospect, into_customer,
       into_disqualified, into_lost, median_days, p90_days
FROM moves
"""
SESSION_TUNING = "SET LOCAL jit = off; SET LOCAL work_mem = '128MB'; "


def backend_cpu_seconds() -> float | None:
    """CPU time the database backend serving this connection has used so far, read from
    /proc when PostgreSQL runs on this machine (None otherwise)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


CPU: dict[str, float] = {}


def timed(function, repeat: int, name: str) -> float:
    """Median wall time of `repeat` runs after a warm-up; also records the median CPU time
    (this process plus the database backend): on a machine shared with other work the CPU
    time is what the wall time would be with the cores to ourselves."""
    function()  # warm-up: caches, connections, compiled templates
    runs, cpu = [], []
    for _ in range(repeat):
        backend = backend_cpu_seconds()
        began, began_cpu = time.perf_counter(), time.process_time()
        function()
        runs.append(time.perf_counter() - began)
        used = time.process_time() - began_cpu
        after = backend_cpu_seconds()
        if backend is not None and after is not None:
            cpu.append(used + after - backend)
    if cpu:
        CPU[name] = statistics.median(cpu)
    return statistics.median(runs)


def get(client: Client, url: str, **extra) -> None:
    response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code, response.content[:500])
    response.content  # noqa: B018 - render it all


# The page the deep-page figures are taken at, and the lists' page sizes.
DEEP_PAGE = 10_000
HTML_PAGE_SIZE, API_PAGE_SIZE = LEAD_LIST_PAGE_SIZE, CursorPagination.page_size


def deep_page(leads: int, page_size: int) -> int:
    """Page 10,000, or the last page when there are fewer (page 2 at least: a cursor)."""
    return max(2, min(DEEP_PAGE, -(-leads // page_size)))


class _RollBack(Exception):
    pass


def _with_pending_moves(client: Client, url: str, repeat: int) -> tuple[float, float]:
    """The API while 1,000 fresh moves wait for the next refresh (their day is read live),
    then that refresh; all rolled back, so the data stays as seeded."""
    timings = {}
    try:
        with transaction.atomic():
            newest = Lead.objects.filter(stage=Stage.LEAD).order_by("-pk")[:1000]
            leads_move_bulk(
                candidates=Lead.objects.filter(pk__in=list(newest.values_list("pk", flat=True))),
                to_stage=Stage.PROSPECT,
                cause=Cause.MANUAL,
                reason="benchmark",
            )
            timings["api"] = timed(lambda: get(client, url), repeat, "api_pending")
            began = time.perf_counter()
            rollups_refresh()
            timings["refresh"] = time.perf_counter() - began
            raise _RollBack
    except _RollBack:
        pass
    return timings["api"], timings["refresh"]


def _live(measure):
    """`measure()` with the rollups switched off: every figure from the source tables."""
    real = selectors.rollup_usable
    selectors.rollup_usable = lambda **kwargs: False
    try:
        return measure()
    finally:
        selectors.rollup_usable = real


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--only", choices=["all", "breakdowns", "roi"], default="all", help="run only that part"
    )
    args = parser.parse_args(argv)
    if connection.vendor != "postgresql":
        sys.exit("Run this against PostgreSQL: set DATABASE_URL to a database of its own.")

    call_command("migrate", verbosity=0)
    present = Lead.objects.order_by().count()
    if present < args.leads:
        print(f"Seeding {args.leads - present:,} leads (seed {args.seed})...", flush=True)
        call_command("seed_bulk", leads=args.leads - present, seed=args.seed)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM funnel_stagechange")
        changes = cursor.fetchone()[0]
    leads = Lead.objects.order_by().count()
    if leads <= API_PAGE_SIZE:
        sys.exit(f"The deep-page figures need a second page: seed more than {API_PAGE_SIZE} leads.")

    manager = get_user_model().objects.get(username="seed-manager")
    client = Client()
    client.force_login(manager)
    window = default_window()
    params = {"since": window.since.isoformat(), "until": window.until.isoformat()}
    api_url = f"/api/v1/metrics/funnel/?{urlencode({**params, 'group_by': 'month'})}"
    dashboard_url = "/dashboard/?preset=last_12_months"
    sql_params = {"tz": settings.TIME_ZONE, "start": window.start, "end": window.end}

    def hand_written(tuned: bool):
        def run():
            with connection.cursor() as cursor:
                cursor.execute((SESSION_TUNING if tuned else "") + HAND_WRITTEN, sql_params)
                cursor.fetchall()

        return run

    if args.only == "breakdowns":
        breakdowns(window, args.repeat)
    if args.only == "roi":
        roi_revenue(window, args.repeat)
    if args.only != "all":
        return

    # The daily rollups the API reads (funnel/metrics/rollup_refresh.py): seed_bulk builds
    # them; a database seeded before they existed gets them here.
    began = time.perf_counter()
    refreshed = rollups_refresh()
    rollup_seconds = time.perf_counter() - began

    results = {}
    results["api"] = timed(lambda: get(client, api_url), args.repeat, "api")
    results["api_pending"], results["refresh_1000"] = _with_pending_moves(
        client, api_url, args.repeat
    )
    results["api_live"] = _live(lambda: timed(lambda: get(client, api_url), 1, "api_live"))
    results["sql_tuned"] = timed(hand_written(True), args.repeat, "sql_tuned")
    results["sql_plain"] = timed(hand_written(False), args.repeat, "sql_plain")
    results["dashboard"] = timed(lambda: get(client, dashboard_url), args.repeat, "dashboard")

    # Deep pages: build the cursor a client would hold after following "next" to page
    # 10,000, or to the last page of a smaller database (250,000 leads fill 10,000 HTML
    # pages of 25, 500,000 fill as many API pages of 50).
    html_page, api_page = deep_page(leads, HTML_PAGE_SIZE), deep_page(leads, API_PAGE_SIZE)
    newest = Lead.objects.order_by("-created_at", "-id")
    html_row = newest.values_list("created_at", "id")[(html_page - 1) * HTML_PAGE_SIZE]
    html_cursor = (
        base64.urlsafe_b64encode(
            json.dumps(
                ["n", [html_row[0].isoformat(), html_row[1]]], separators=(",", ":")
            ).encode()
        )
        .decode()
        .rstrip("=")
    )
    api_position = newest.values_list("created_at", flat=True)[(api_page - 1) * API_PAGE_SIZE - 1]
    api_cursor = base64.b64encode(urlencode({"p": str(api_position)}).encode()).decode()
    results["list_html_1"] = timed(lambda: get(client, "/leads/"), args.repeat, "list_html_1")
    results["list_html_deep"] = timed(
        lambda: get(client, f"/leads/?{urlencode({'cursor': html_cursor})}"),
        args.repeat,
        "list_html_deep",
    )
    results["list_api_1"] = timed(lambda: get(client, "/api/v1/leads/"), args.repeat, "list_api_1")
    results["list_api_deep"] = timed(
        lambda: get(client, f"/api/v1/leads/?{urlencode({'cursor': api_cursor})}"),
        args.repeat,
        "list_api_deep",
    )

    load = os.getloadavg()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    print()
    print(
        f"Data: {leads:,} leads, {changes:,} stage changes; window {window.since} .. "
        f"{window.until} by month ({settings.TIME_ZONE})."
    )
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, PostgreSQL {server}, "
        f"Python {platform.python_version()}; load average {load[0]:.2f} {load[1]:.2f} "
        f"{load[2]:.2f}. Median of {args.repeat} runs."
    )
    ms = {key: value * 1000 for key, value in results.items()}
    print(f"  metric rollups refresh ({refreshed})  {rollup_seconds * 1000:.0f} ms")
    print(f"  funnel API, 12 months by month      {ms['api']:8.0f} ms")
    print(
        f"  ... with 1,000 moves not yet rolled up {ms['api_pending']:5.0f} ms   "
        f"(their refresh: {ms['refresh_1000']:.0f} ms)"
    )
    print(f"  ... read live, without the rollups  {ms['api_live']:8.0f} ms")
    print(
        f"  hand-written SQL (same settings)    {ms['sql_tuned']:8.0f} ms   "
        f"API/SQL = {results['api'] / results['sql_tuned']:.2f}  (goal < 2, API < 1 s)"
    )
    print(
        f"  hand-written SQL (server defaults)  {ms['sql_plain']:8.0f} ms   "
        f"API/SQL = {results['api'] / results['sql_plain']:.2f}"
    )
    print(
        f"  dashboard overview page             {ms['dashboard']:8.0f} ms   "
        f"page/API = {results['dashboard'] / results['api']:.2f}  (goal < 2)"
    )
    print(
        f"  lead list HTML page 1 / {html_page:,}".ljust(38)
        + f"{ms['list_html_1']:8.1f} / {ms['list_html_deep']:.1f} ms   "
        f"ratio = {results['list_html_deep'] / results['list_html_1']:.2f}  (goal < 1.5)"
    )
    print(
        f"  lead list API page 1 / {api_page:,}".ljust(38)
        + f"{ms['list_api_1']:8.1f} / {ms['list_api_deep']:.1f} ms   "
        f"ratio = {results['list_api_deep'] / results['list_api_1']:.2f}  (goal < 1.5)"
    )

    if CPU:
        print("CPU time (this process + database backend), median, ms:")
        for key, label in (
            ("api", "funnel API"),
            ("sql_tuned", "hand-written SQL (same settings)"),
            ("sql_plain", "hand-written SQL (server defaults)"),
            ("dashboard", "dashboard overview page"),
        ):
            if key in CPU:
                print(f"  {label:36s}{CPU[key] * 1000:8.0f}")
        if "api" in CPU and "sql_tuned" in CPU:
            print(
                f"  API/SQL = {CPU['api'] / CPU['sql_tuned']:.2f}, "
                f"page/API = {CPU['dashboard'] / CPU['api']:.2f}"
            )
    breakdowns(window, args.repeat)
    roi_revenue(window, args.repeat)


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def breakdowns(window, repeat: int) -> None:
    """Every breakdown, filter, a rep's scope and ROI against hand-written SQL."""
    manager = get_user_model().objects.get(username="seed-manager")
    rep = (
        get_user_model().objects.filter(groups__name="sales", is_active=True).order_by("pk").first()
    )
    campaign = Campaign.objects.order_by("pk").first()
    if rep is None or campaign is None:
        print("Breakdowns: skipped (the database has no sales rep or no campaign).")
        return
    clients = {False: Client(), True: Client()}
    clients[False].force_login(manager)
    clients[True].force_login(rep)
    print(f"Breakdowns, window {window.since} .. {window.until}; load average {_load()}")
    # What any authenticated metrics call costs before its figures (session, user, groups,
    # filters, serializer): the same API over a day with no data. A view whose hand-written
    # statement is under twice this cannot reach a ratio of 0.5.
    empty = "/api/v1/metrics/funnel/?since=2001-01-01&until=2001-01-01&group_by=owner"
    floor = timed(lambda: get(clients[False], empty), repeat, "request floor")
    print(f"  request floor (the API over an empty day): {floor * 1000:.1f} ms")
    print(f"  {'view':52s} {'ms':>7s} {'SQL ms':>7s} {'ratio':>6s} {'CPU ratio':>9s}")
    for view in funnel_breakdowns.views(window, rep.pk, campaign):
        client = clients[view.as_rep]
        page = timed(lambda: get(client, view.url), repeat, view.name)  # noqa: B023
        if view.sql is None:
            print(f"  {view.name:52s} {page * 1000:7.0f} {'-':>7s} {'-':>6s} {'-':>9s}", flush=True)
            continue
        sql = timed(funnel_breakdowns.run_sql(view), repeat, f"{view.name} SQL")
        cpu = CPU.get(view.name), CPU.get(f"{view.name} SQL")
        cpu_ratio = f"{cpu[0] / cpu[1]:9.2f}" if all(cpu) else f"{'n/a':>9s}"
        print(
            f"  {view.name:52s} {page * 1000:7.0f} {sql * 1000:7.0f} {page / sql:6.2f} {cpu_ratio}",
            flush=True,
        )
    print(f"  load average after: {_load()}")
    _check_equal(window, clients, funnel_breakdowns.views(window, rep.pk, campaign))


def _check_equal(window, clients, views) -> None:
    """Each metrics API answer from the summaries == the same answer read live (the
    summaries' state row deleted in a transaction rolled back: every reader then falls
    back to the source tables)."""
    api_views = [v for v in views if v.url.startswith("/api/v1/metrics/") and v.sql]
    summarised = {v.name: clients[v.as_rep].get(v.url).json() for v in api_views}
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM funnel_rollup_state")
            live = {v.name: clients[v.as_rep].get(v.url).json() for v in api_views}
            raise _RolledBack
    except _RolledBack:
        pass
    print("Summaries against the live path, every figure (==):")
    for view in api_views:
        verdict = "equal" if summarised[view.name] == live[view.name] else "DIFFERENT"
        print(f"  {view.name:52s} {verdict}")


def roi_revenue(window, repeat: int) -> None:
    """Campaign ROI: the tab and the API from the credit summary (marketing.credit_rollup)
    against the hand-written statement, the same pages read live (rollups not built) and
    with 1,000 back-dated touches pending; the revenue credits alone (summary, the live
    statement with and without its covering indexes, the four queries) and whether they
    agree (==); the summary's full build. Every write is rolled back."""
    manager = get_user_model().objects.get(username="seed-manager")
    campaign = Campaign.objects.order_by("pk").first()
    client = Client()
    client.force_login(manager)
    pages = [v for v in funnel_breakdowns.views(window, manager.pk, campaign) if "ROI" in v.name]
    print(f"Campaign ROI, window {window.since} .. {window.until}; load average {_load()}")
    print(f"  {'view':44s} {'ms':>7s} {'SQL ms':>7s} {'ratio':>6s} {'CPU ratio':>9s}")

    def report(label: str, view) -> None:
        page = timed(lambda: get(client, view.url), repeat, label)
        sql = timed(funnel_breakdowns.run_sql(view), repeat, f"{label} SQL")
        cpu = CPU.get(label), CPU.get(f"{label} SQL")
        cpu_ratio = f"{cpu[0] / cpu[1]:9.2f}" if all(cpu) else f"{'n/a':>9s}"
        print(f"  {label:44s} {page * 1000:7.0f} {sql * 1000:7.0f} {page / sql:6.2f} {cpu_ratio}")

    refreshed = rollups_refresh()
    print(f"  (refresh before: {refreshed})", flush=True)
    for view in pages:
        report(view.name.replace(" (", ", summary (", 1), view)
    with _rolled_back():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM funnel_rollup_state")  # as before a first build
        for view in pages:
            report(view.name.replace(" (", ", live (", 1), view)
    with _rolled_back():
        days = _back_dated_touches(campaign, 1000)
        for view in pages:
            report(view.name.replace(" (", f", {days} days pending (", 1), view)

    summary = timed(lambda: metrics.revenue_credits(window), repeat, "summary")
    one = timed(lambda: metrics._credits_in_one_pass(window), repeat, "one")
    four = timed(lambda: metrics._credits_in_four_queries(window), repeat, "four")
    with _rolled_back():
        with connection.cursor() as cursor:
            cursor.execute(funnel_breakdowns.WITHOUT_CREDIT_INDEXES)
        bare = timed(lambda: metrics._credits_in_one_pass(window), repeat, "bare")
    live = metrics._credits_in_one_pass(window)
    equal = metrics.revenue_credits(window) == live == metrics._credits_in_four_queries(window)
    print(f"Campaign ROI revenue credits; load average {_load()}")
    print(
        f"  summary {summary * 1000:.0f} ms; live statement {one * 1000:.0f} ms "
        f"({bare * 1000:.0f} ms without its covering indexes); four queries {four * 1000:.0f} ms"
    )
    print(f"  summary == live statement == four queries: {equal}")
    with _rolled_back(), connection.cursor() as cursor:
        began = time.perf_counter()
        credits_refresh(cursor, full=True)
        built = time.perf_counter() - began
        cursor.execute("SELECT count(*) FROM funnel_rollup_credit")
        rows = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM sales_deal WHERE status = 'won'")
        won = cursor.fetchone()[0]
    with connection.cursor() as cursor:
        # The rolled-back build left as many dead rows as the summary holds: gone before
        # the next run reads it (autovacuum would take them within minutes).
        cursor.execute("VACUUM funnel_rollup_credit, funnel_rollup_credit_day")
    print(f"  summary full build {built:.2f} s: {rows:,} rows for {won:,} won deals")


def _back_dated_touches(campaign: Campaign, leads: int) -> int:
    """A touch a year back for the leads of `leads` won deals (an import of an old event):
    their close days wait for the refresh. Returns how many days that is."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO marketing_touch (lead_id, campaign_id, kind, at, utm_source, "
            "utm_medium, utm_campaign, utm_content, utm_term) "
            "SELECT lead_id, %s, 'event_attended', closed_at - interval '365 days', "
            "'', '', '', '', '' FROM sales_deal WHERE status = 'won' ORDER BY id DESC LIMIT %s",
            [campaign.pk, leads],
        )
        cursor.execute(
            "SELECT count(DISTINCT closed_on) FROM sales_deal WHERE status = 'won' AND "
            "lead_id IN (SELECT unnest(leads) FROM funnel_rollup_credit_dirty)"
        )
        return cursor.fetchone()[0]


@contextmanager
def _rolled_back():
    try:
        with transaction.atomic():
            yield
            raise _RolledBack
    except _RolledBack:
        pass


class _RolledBack(Exception):
    pass


if __name__ == "__main__":
    main()
