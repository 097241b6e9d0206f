"""What converting to the company currency costs the money reports, on PostgreSQL.

Run against a PostgreSQL database of its own (it seeds it with `seed_bulk` when it holds
fewer leads than asked, then puts a third of the deals in EUR and a third of the spend in
GBP, with a rate per currency and week: that database is for benchmarks only), e.g.:

    createdb -h 127.0.0.1 -U postgres funnel_bench_fx
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/funnel_bench_fx \\
        .venv/bin/python benchmarks/currency_conversion.py --leads 200000

It times, in one run, the median of --repeat runs after a warm-up:
- `campaign_results` for a year (spend, revenue three ways, promotions: six queries) and
  `quota_board` for a quarter, as the pages and the metrics API call them (converting);
- a hand-written statement for the converted year spend and first-touch revenue per
  campaign (a LATERAL look-up of the latest rate), and the ratio selector / hand-written;
- the same sums without conversion (`SUM(amount)`), to show the conversion's own cost.
Timings are printed, never asserted; docs/performance.md records them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("DEBUG", "false")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from funnel.metrics.window import Window  # noqa: E402
from leads.models import Lead  # noqa: E402
from marketing.metrics import campaign_results  # noqa: E402
from sales.periods import period_containing  # noqa: E402
from sales.selectors.quotas import quota_board  # noqa: E402

CONVERTED = """
SELECT c.id,
  (SELECT SUM(s.amount * COALESCE(r.rate, 1)) FROM marketing_spend s
     LEFT JOIN LATERAL (SELECT rate FROM currencies_exchangerate x
        WHERE x.currency = s.currency AND x.day <= s.day AND s.currency <> %(home)s
        ORDER BY x.day DESC LIMIT 1) r ON true
   WHERE s.campaign_id = c.id AND s.day BETWEEN %(since)s AND %(until)s),
  (SELECT SUM(d.amount * COALESCE(r.rate, 1)) FROM sales_deal d
     JOIN leads_lead l ON l.id = d.lead_id
     LEFT JOIN LATERAL (SELECT rate FROM currencies_exchangerate x
        WHERE x.currency = d.currency AND x.day <= d.closed_on AND d.currency <> %(home)s
        ORDER BY x.day DESC LIMIT 1) r ON true
   WHERE l.source_campaign_id = c.id AND d.status = 'won'
     AND d.closed_on BETWEEN %(since)s AND %(until)s)
FROM marketing_campaign c
"""
FACE_VALUE = """
SELECT c.id,
  (SELECT SUM(s.amount) FROM marketing_spend s
   WHERE s.campaign_id = c.id AND s.day BETWEEN %(since)s AND %(until)s),
  (SELECT SUM(d.amount) FROM sales_deal d JOIN leads_lead l ON l.id = d.lead_id
   WHERE l.source_campaign_id = c.id AND d.status = 'won'
     AND d.closed_on BETWEEN %(since)s AND %(until)s)
FROM marketing_campaign c
"""


def median_ms(run, repeat: int) -> float:
    run()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def sql(statement: str, params: dict):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall()

    return run


def prepare(leads: int) -> None:
    if Lead.objects.count() < leads:
        call_command("seed_bulk", leads=leads, seed=42)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM currencies_exchangerate")
        if cursor.fetchone()[0]:
            return
        cursor.execute("SELECT MIN(day) FROM marketing_spend")
        spend_first = cursor.fetchone()[0]
        cursor.execute("SELECT MIN(created_at)::date FROM sales_deal")
        first = min(d for d in (spend_first, cursor.fetchone()[0]) if d) - timedelta(days=7)
        weeks = (date.today() - first).days // 7 + 2
        for code, base in (("EUR", 1.08), ("GBP", 1.27)):
            cursor.execute(
                """INSERT INTO currencies_exchangerate (currency, day, rate, created_at,
                   updated_at)
                   SELECT %s, %s::date + 7 * w, round((%s + 0.02 * sin(w))::numeric, 6),
                   now(), now() FROM generate_series(0, %s) w""",
                [code, first, base, weeks],
            )
        cursor.execute("UPDATE sales_deal SET currency = 'EUR' WHERE id % 3 = 0")
        cursor.execute("UPDATE marketing_spend SET currency = 'GBP' WHERE id % 3 = 0")
        cursor.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run this against PostgreSQL (DATABASE_URL).")
    prepare(args.leads)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT COUNT(*) FROM sales_deal), (SELECT COUNT(*) FROM marketing_spend),"
            " (SELECT COUNT(*) FROM currencies_exchangerate), (SELECT MAX(closed_on) FROM"
            " sales_deal)"
        )
        deals, spend, rates, last_close = cursor.fetchone()
    until = last_close or date.today()
    window = Window(until - timedelta(days=364), until)
    params = {"since": window.since, "until": window.until, "home": "USD"}
    figures = {
        "campaign_results (year)": median_ms(lambda: campaign_results(window=window), args.repeat),
        "quota_board (quarter)": median_ms(
            lambda: quota_board(period=period_containing("quarter", until), today=until),
            args.repeat,
        ),
        "by hand, converted (spend + first touch)": median_ms(sql(CONVERTED, params), args.repeat),
        "by hand, face value (spend + first touch)": median_ms(
            sql(FACE_VALUE, params), args.repeat
        ),
    }
    print(f"{deals:,} deals, {spend:,} spend lines, {rates:,} rates; window {window.since}..")
    for name, ms in figures.items():
        print(f"{name:45} {ms:9.1f} ms")
    ratio = figures["campaign_results (year)"] / figures["by hand, converted (spend + first touch)"]
    print(f"campaign_results / hand-written converted: {ratio:.2f}")


if __name__ == "__main__":
    main()
