"""Benchmark: the deal board, the forecast and the pipeline metrics over 200,000 deals
(and their stage history), against hand-written SQL for the same figures, in the same
run, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/funnel_deals_bench \\
        .venv/bin/python benchmarks/deal_pipeline.py --deals 200000 --leads 1000000 --repeat 3

It wipes and refills the database it is given, so it refuses any database whose name does
not end in "_bench" (and creates that database when missing). Each scenario runs the
project's selector and the hand-written SQL alternately, checks that they give the same
figures, and prints the medians, their ratio and the project's query count.

Data: 20 reps; `--leads` prospects; `--deals` deals on them, created over the last 180
days: 30 % Qualification, 20 % Demo, 15 % Proposal, 10 % Negotiation, 15 % won, 10 % lost;
each with a history row per stage it went through (about 2.6 rows a deal), expected
close dates pushed out by a week on about a quarter of the moves.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _support import ensure_database, setup_django  # noqa: E402


def sql(statement: str, params=None) -> list:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return cursor.fetchall() if cursor.description else []


def fill(leads: int, deals: int) -> None:
    from django.conf import settings
    from django.contrib.auth.models import Group

    from funnel.roles import MANAGERS, SALES

    sql(
        "TRUNCATE sales_dealstagechange, sales_forecastsnapshot, sales_activity, sales_deal, "
        "sales_quota, funnel_stagechange, leads_lead RESTART IDENTITY CASCADE"
    )
    sql("DELETE FROM auth_user_groups")
    sql("DELETE FROM auth_user WHERE username LIKE 'bench%%'")
    sales, _ = Group.objects.get_or_create(name=SALES)
    managers, _ = Group.objects.get_or_create(name=MANAGERS)
    sql(
        "INSERT INTO auth_user (username, password, is_superuser, first_name, last_name, "
        "email, is_staff, is_active, date_joined) SELECT 'benchrep' || g, '!', false, "
        "'Rep', g::text, '', false, true, now() FROM generate_series(1, 20) g"
    )
    sql(
        "INSERT INTO auth_user (username, password, is_superuser, first_name, last_name, "
        "email, is_staff, is_active, date_joined) VALUES ('benchmanager', '!', false, '', '', "
        "'', false, true, now())"
    )
    sql(
        "INSERT INTO auth_user_groups (user_id, group_id) SELECT id, %s FROM auth_user "
        "WHERE username LIKE 'benchrep%%'",
        [sales.pk],
    )
    sql(
        "INSERT INTO auth_user_groups (user_id, group_id) SELECT id, %s FROM auth_user "
        "WHERE username = 'benchmanager'",
        [managers.pk],
    )
    sql("SELECT setseed(0.16)")
    sql(
        """
        INSERT INTO leads_lead (email, first_name, last_name, company, title, phone, country,
            industry, company_size, stage, stage_changed_at, became_prospect_at, owner_id,
            score, marketing_consent, created_at, updated_at)
        SELECT 'd' || g || '@bench.example', '', '', '', '', '', '', '', '', 'prospect',
            now() - interval '200 days', now() - interval '200 days', r.first + g %% 20, 60,
            false, now() - interval '210 days', now()
        FROM generate_series(1, %s) g,
             (SELECT min(id) AS first FROM auth_user WHERE username LIKE 'benchrep%%') r
        """,
        [leads],
    )
    stages = dict(sql("SELECT name, id FROM sales_dealstage"))
    # k: open stages passed (1-4); closed: 'won'/'lost'/'open'.
    sql(
        """
        CREATE TEMP TABLE plan AS
        SELECT g, x.u, x.created,
               CASE WHEN x.u < 0.30 THEN 1 WHEN x.u < 0.50 THEN 2 WHEN x.u < 0.65 THEN 3
                    WHEN x.u < 0.75 THEN 4 ELSE 1 + floor(x.v * 4)::int END AS k,
               CASE WHEN x.u < 0.75 THEN 'open' WHEN x.u < 0.90 THEN 'won' ELSE 'lost' END
                   AS status,
               x.step
        FROM generate_series(1, %s) g
        CROSS JOIN LATERAL (
            SELECT random() + g * 0 AS u, random() + g * 0 AS v,
                   now() - (random() * 180 + g * 0) * interval '1 day' AS created,
                   (1 + random() * 6 + g * 0) * interval '1 day' AS step
        ) x
        """,
        [deals],
    )
    sql(
        f"""
        INSERT INTO sales_deal (lead_id, title, amount, currency, status, expected_close_on,
            closed_on, closed_at, owner_id, lost_reason, promo_code, created_at, updated_at,
            stage_id, stage_changed_at, loss_reason_id)
        SELECT l.id, 'Deal ' || p.g, round((100 + random() * 20000)::numeric, 2),
            %(currency)s, p.status,
            (p.created + interval '30 days' + (p.g %% 90) * interval '1 day')::date,
            CASE WHEN p.status <> 'open' THEN p.closed::date END,
            CASE WHEN p.status <> 'open' THEN p.closed END,
            l.owner_id, CASE WHEN p.status = 'lost' THEN 'Price' ELSE '' END, '', p.created,
            now(),
            CASE p.status WHEN 'won' THEN {stages["Won"]} WHEN 'lost' THEN {stages["Lost"]}
                ELSE (SELECT id FROM sales_dealstage s WHERE s.position = p.k)
            END,
            CASE WHEN p.status <> 'open' THEN p.closed
                 ELSE least(p.created + p.step * (p.k - 1), now()) END,
            CASE WHEN p.status = 'lost' THEN (SELECT min(id) FROM sales_lostreason) END
        FROM (SELECT *, least(created + step * (k + 1), now()) AS closed FROM plan) p
        JOIN leads_lead l ON l.id = 1 + (p.g * 7919) %% {leads}
        ORDER BY p.g
        """,
        {"currency": settings.FUNNEL_CURRENCY},
    )
    # History: creation row, one row per further open stage, and the close.
    sql(
        """
        INSERT INTO sales_dealstagechange (deal_id, kind, from_stage_id, to_stage_id, at,
            from_stage_entered_at, cause, reason, amount, currency, expected_close_on,
            previous_expected_close_on, lost_reason_id)
        SELECT d.id, 'move',
               CASE WHEN i = 1 THEN NULL ELSE s_prev.id END,
               s.id,
               least(p.created + p.step * (i - 1), now()),
               CASE WHEN i = 1 THEN NULL ELSE least(p.created + p.step * (i - 2), now()) END,
               'manual', '', d.amount, d.currency,
               d.expected_close_on - CASE WHEN (p.g + i) %% 4 = 0 THEN 0 ELSE 7 END * (p.k - i),
               CASE WHEN i > 1 THEN d.expected_close_on
                   - CASE WHEN (p.g + i - 1) %% 4 = 0 THEN 0 ELSE 7 END * (p.k - i + 1) END,
               NULL
        FROM plan p JOIN sales_deal d ON d.id = p.g
        CROSS JOIN LATERAL generate_series(1, p.k) i
        JOIN sales_dealstage s ON s.position = i AND NOT s.is_won AND NOT s.is_lost
        LEFT JOIN sales_dealstage s_prev ON s_prev.position = i - 1
        """
    )
    sql(
        """
        INSERT INTO sales_dealstagechange (deal_id, kind, from_stage_id, to_stage_id, at,
            from_stage_entered_at, cause, reason, amount, currency, expected_close_on,
            previous_expected_close_on, lost_reason_id)
        SELECT d.id, 'move', s.id, d.stage_id, d.closed_at,
               least(p.created + p.step * (p.k - 1), now()), 'manual', '', d.amount,
               d.currency, d.expected_close_on, d.expected_close_on, d.loss_reason_id
        FROM plan p JOIN sales_deal d ON d.id = p.g
        JOIN sales_dealstage s ON s.position = p.k
        WHERE d.status <> 'open'
        """
    )
    sql(
        "INSERT INTO sales_quota (owner_id, period, starts_on, ends_on, target, created_at, "
        "updated_at) SELECT id, 'quarter', date_trunc('quarter', now())::date, "
        "(date_trunc('quarter', now()) + interval '3 months - 1 day')::date, 500000, now(), "
        "now() FROM auth_user WHERE username LIKE 'benchrep%%'"
    )
    sql("DROP TABLE plan")
    sql("VACUUM ANALYZE")


BOARD_TOTALS_SQL = """
SELECT d.stage_id, count(*), sum(d.amount), sum(d.amount * s.probability / 100)
FROM sales_deal d JOIN sales_dealstage s ON s.id = d.stage_id
WHERE s.pipeline_id = %(pipeline)s
  AND (d.status = 'open' OR d.closed_on >= %(recent)s)
GROUP BY d.stage_id
"""
BOARD_CARDS_SQL = """
SELECT * FROM (
    SELECT d.id, d.stage_id, d.title, d.amount, d.expected_close_on, l.first_name,
           u.username, row_number() OVER (PARTITION BY d.stage_id
                                          ORDER BY d.expected_close_on NULLS LAST, d.id) AS rank
    FROM sales_deal d JOIN sales_dealstage s ON s.id = d.stage_id
    JOIN leads_lead l ON l.id = d.lead_id LEFT JOIN auth_user u ON u.id = d.owner_id
    WHERE s.pipeline_id = %(pipeline)s AND (d.status = 'open' OR d.closed_on >= %(recent)s)
) ranked WHERE rank <= 50
"""
# Amounts converted as the project converts them (company currency: 1; else the latest
# rate on or before the close date, or today for open deals).
FORECAST_SQL = """
SELECT d.owner_id,
       sum(d.amount * r.rate) FILTER (WHERE d.status = 'won'),
       sum(d.amount * r.rate) FILTER (WHERE d.status = 'open' AND s.forecast_category = 'commit'),
       sum(d.amount * r.rate)
           FILTER (WHERE d.status = 'open' AND s.forecast_category = 'best_case'),
       sum(d.amount * r.rate * s.probability / 100) FILTER (WHERE d.status = 'open')
FROM sales_deal d JOIN sales_dealstage s ON s.id = d.stage_id
CROSS JOIN LATERAL (
    SELECT CASE WHEN d.currency = %(currency)s THEN 1 ELSE (
        SELECT x.rate FROM currencies_exchangerate x
        WHERE x.currency = d.currency AND x.day <= coalesce(d.closed_on, %(today)s)
        ORDER BY x.day DESC LIMIT 1) END AS rate
) r
WHERE (d.status = 'won' AND d.closed_on BETWEEN %(start)s AND %(end)s)
   OR (d.status = 'open' AND d.expected_close_on BETWEEN %(start)s AND %(end)s)
GROUP BY d.owner_id
"""
WIN_RATE_SQL = """
SELECT h.to_stage_id, count(DISTINCT d.id), count(DISTINCT d.id) FILTER (WHERE d.status = 'won')
FROM sales_dealstagechange h JOIN sales_deal d ON d.id = h.deal_id
WHERE d.status IN ('won', 'lost') AND d.closed_on BETWEEN %(since)s AND %(until)s
GROUP BY h.to_stage_id
"""
VELOCITY_SQL = """
SELECT from_stage_id, count(*),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY days),
       percentile_cont(0.9) WITHIN GROUP (ORDER BY days)
FROM (SELECT from_stage_id, at,
             date_part('epoch', at - from_stage_entered_at) / 86400 AS days
      FROM sales_dealstagechange) h
WHERE from_stage_id IS NOT NULL AND days IS NOT NULL AND at >= %(start)s AND at < %(end)s
GROUP BY from_stage_id
"""
# With the previous close date on each row (what the writer stores), as one would write it.
SLIPPAGE_SQL = """
SELECT count(*), count(*) FILTER (WHERE expected_close_on > previous_expected_close_on),
       count(DISTINCT deal_id) FILTER (WHERE expected_close_on > previous_expected_close_on),
       coalesce(sum(expected_close_on - previous_expected_close_on)
                FILTER (WHERE expected_close_on > previous_expected_close_on), 0)
FROM sales_dealstagechange
WHERE at >= %(start)s AND at < %(end)s
  AND expected_close_on IS NOT NULL AND previous_expected_close_on IS NOT NULL
"""
# Without it: the previous row of each deal looked up by a window over all history.
SLIPPAGE_LAG_SQL = """
SELECT count(*), count(*) FILTER (WHERE cur > prev) FROM (
    SELECT at, expected_close_on AS cur,
           lag(expected_close_on) OVER (PARTITION BY deal_id ORDER BY at, id) AS prev
    FROM sales_dealstagechange
) x WHERE at >= %(start)s AND at < %(end)s AND cur IS NOT NULL AND prev IS NOT NULL
"""


def timed(call) -> tuple[float, object]:
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def compare(name, project, hand_written, repeat, check) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        project()
    mine, theirs = [], []
    for _ in range(repeat):
        seconds, ours = timed(project)
        mine.append(seconds)
        seconds, raw = timed(hand_written)
        theirs.append(seconds)
        check(ours, raw)
    result = {
        "scenario": name,
        "project_s": statistics.median(mine),
        "sql_s": statistics.median(theirs),
        "queries": len(queries.captured_queries),
    }
    result["ratio"] = result["project_s"] / result["sql_s"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, default=200_000)
    parser.add_argument("--leads", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-fill", action="store_true", help="reuse the data of a last run")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL database whose name ends in _bench.")
    ensure_database(url)
    setup_django()

    from django.conf import settings
    from django.contrib.auth import get_user_model

    from funnel.metrics.window import Window
    from sales.periods import period_containing, today
    from sales.pipeline.board import RECENT_CLOSED_DAYS, BoardFilters, deal_board
    from sales.pipeline.forecast import forecast
    from sales.pipeline.metrics import slippage, velocity, win_rates
    from sales.pipeline.stages import pipeline_default, stages_of

    started = time.perf_counter()
    if not args.no_fill:
        fill(args.leads, args.deals)
    history = sql("SELECT count(*) FROM sales_dealstagechange")[0][0]
    deals = sql("SELECT count(*) FROM sales_deal")[0][0]
    leads = sql("SELECT count(*) FROM leads_lead")[0][0]
    print(
        f"{'reused' if args.no_fill else 'filled'} {leads:,} leads, {deals:,} deals, "
        f"{history:,} history rows in {time.perf_counter() - started:.1f}s"
    )
    manager = get_user_model().objects.get(username="benchmanager")
    rep = get_user_model().objects.get(username="benchrep1")
    on = today()
    pipeline = pipeline_default()
    stages = stages_of(pipeline)
    window = Window(on - timedelta(days=89), on)
    # The dashboard's default window (its Forecast tab computes both over it).
    year = Window(on - timedelta(days=364), on)
    quarter = period_containing("quarter", on)
    board_params = {"pipeline": pipeline.pk, "recent": on - timedelta(days=RECENT_CLOSED_DAYS)}

    def board_check(board, raw):
        totals = {row[0]: row[1] for row in raw}
        assert {c.stage.pk: c.count for c in board.columns if c.count} == totals

    def forecast_check(result, raw):
        won = sum((row[1] or Decimal(0) for row in raw), Decimal(0))
        assert result.team.closed_won == won.quantize(Decimal("0.01")), (result.team, won)

    def rates_check(ours, raw):
        reached = {row[0]: row[1] for row in raw}
        assert all(r.reached == reached.get(r.stage.pk, 0) for r in ours)

    def velocity_check(ours, raw):
        medians = {row[0]: row[2] for row in raw}
        assert all(
            v.median_days is None or abs(v.median_days - float(medians[v.stage.pk])) < 1e-6
            for v in ours
        )

    def slippage_check(ours, raw):
        assert (ours.compared, ours.pushed) == tuple(raw[0][:2]), (ours, raw)
        if len(raw[0]) > 2:
            assert (ours.deals_pushed, ours.days_pushed) == tuple(raw[0][2:]), (ours, raw)

    slippage_window = {"start": window.start, "end": window.end}
    slippage_check(slippage(window=window), sql(SLIPPAGE_LAG_SQL, slippage_window))

    results = [
        compare(
            "board, manager, whole team",
            lambda: deal_board(user=manager, filters=BoardFilters(), on=on),
            lambda: (sql(BOARD_TOTALS_SQL, board_params), sql(BOARD_CARDS_SQL, board_params))[0],
            args.repeat,
            board_check,
        ),
        compare(
            "forecast, quarter, every rep + team",
            lambda: forecast(period=quarter),
            lambda: sql(
                FORECAST_SQL,
                {
                    "start": quarter.starts_on,
                    "end": quarter.ends_on,
                    "currency": settings.FUNNEL_CURRENCY,
                    "today": on,
                },
            ),
            args.repeat,
            forecast_check,
        ),
        compare(
            "win rate by stage, 90 days",
            lambda: win_rates(stages=stages, window=window),
            lambda: sql(WIN_RATE_SQL, {"since": window.since, "until": window.until}),
            args.repeat,
            rates_check,
        ),
        compare(
            "velocity (median, p90), 90 days",
            lambda: velocity(stages=stages, window=window),
            lambda: sql(VELOCITY_SQL, {"start": window.start, "end": window.end}),
            args.repeat,
            velocity_check,
        ),
        compare(
            "win rate by stage, 12 months",
            lambda: win_rates(stages=stages, window=year),
            lambda: sql(WIN_RATE_SQL, {"since": year.since, "until": year.until}),
            args.repeat,
            rates_check,
        ),
        compare(
            "velocity (median, p90), 12 months",
            lambda: velocity(stages=stages, window=year),
            lambda: sql(VELOCITY_SQL, {"start": year.start, "end": year.end}),
            args.repeat,
            velocity_check,
        ),
        compare(
            "slippage, 90 days",
            lambda: slippage(window=window),
            lambda: sql(SLIPPAGE_SQL, slippage_window),
            args.repeat,
            slippage_check,
        ),
    ]
    rep_board = compare(
        "board, one rep",
        lambda: deal_board(user=rep, filters=BoardFilters(), on=on),
        lambda: (
            sql(
                BOARD_TOTALS_SQL.replace("WHERE", f"WHERE d.owner_id = {rep.pk} AND"), board_params
            ),
            sql(
                BOARD_CARDS_SQL.replace("WHERE", f"WHERE d.owner_id = {rep.pk} AND", 1),
                board_params,
            ),
        )[0],
        args.repeat,
        board_check,
    )
    results.append(rep_board)
    results.append(
        compare(
            "slippage, 90 days, vs LAG window",
            lambda: slippage(window=window),
            lambda: sql(SLIPPAGE_LAG_SQL, slippage_window),
            1,
            slippage_check,
        )
    )
    print(f"{'scenario':40} {'project':>9} {'SQL':>9} {'ratio':>6} {'queries':>7}")
    for r in results:
        print(
            f"{r['scenario']:40} {r['project_s']:9.3f} {r['sql_s']:9.3f} "
            f"{r['ratio']:6.2f} {r['queries']:7d}"
        )
    pages(manager=manager, rep=rep, repeat=args.repeat)
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


# (url, for reps too): the dashboard is the managers'.
PAGES = [
    ("/sales/deals/board/", True),
    ("/sales/deals/board/?period=this_quarter", True),
    ("/dashboard/forecast/", False),
    ("/api/v1/metrics/forecast/", True),
    ("/api/v1/metrics/pipeline/", True),
    ("/api/v1/deals/", True),
    ("/api/v1/teams/", True),
]


def pages(*, manager, rep, repeat: int) -> None:
    """Each page and endpoint as a browser or client gets it (test client, in-process):
    the median time and the query count."""
    from django.db import connection
    from django.test import Client

    counted = [0]

    def count(execute, sql, params, many, context):
        counted[0] += 1
        return execute(sql, params, many, context)

    print(f"{'page (manager / rep)':48} {'manager':>8} {'queries':>7} {'rep':>8} {'queries':>7}")
    for url, for_reps in PAGES:
        figures = []
        for user in (manager, rep) if for_reps else (manager,):
            client = Client()
            client.force_login(user)
            counted[0] = 0
            with connection.execute_wrapper(count):
                response = client.get(url)
            if response.status_code != 200:
                sys.exit(f"{url}: {response.status_code}")

            def fetch(client=client, url=url):
                return client.get(url)

            times = [timed(fetch)[0] for _ in range(repeat)]
            figures += [statistics.median(times), counted[0]]
        rep_figures = f"{figures[2]:8.3f} {figures[3]:7d}" if for_reps else f"{'-':>8} {'-':>7}"
        print(f"{url:48} {figures[0]:8.3f} {figures[1]:7d} {rep_figures}")


if __name__ == "__main__":
    main()
