"""Scale benchmark for "find anything": the header search over N leads on PostgreSQL.

Run against a PostgreSQL database of its own (it seeds it with `seed_bulk` when it holds
fewer leads than asked), e.g.:

    createdb -h 127.0.0.1 -U postgres funnel_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/funnel_bench \\
        .venv/bin/python benchmarks/search_scale.py --leads 1000000

For a few representative texts (an email domain, a company substring, a first name, a
name and surname, a phone number, a two-letter prefix, no match) it times, in one run:
- `leads_find`, the first 20 ranked leads as the header search gets them (the selector:
  the ORM's UNION ALL of three LIMITed ranks, merged in Python), for a manager and a rep;
- one hand-written SQL statement with the same semantics and ranking (the same UNION ALL
  written by hand), and the ratio selector / hand-written;
- the naive single statement (`ORDER BY` rank expressions, `LIMIT 20`), to show why the
  ranks are fetched separately;
- `search_everything` (leads, campaigns, deals) and the suggestions page GET.
Each figure is the median of --repeat runs after one warm-up. Timings are printed, never
asserted; docs/performance.md records them with the machine and the command.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("DEBUG", "false")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from funnel.roles import SALES  # noqa: E402
from leads.models import Lead  # noqa: E402
from leads.search import phone_digits, search_words  # noqa: E402
from search.selectors import leads_find, search_everything  # noqa: E402

LIMIT = 20

# The semantics of leads.search for one word of 3+ characters, written by hand with the
# expressions leads migration 0007 indexes.
WORD = """(UPPER(first_name::text) LIKE UPPER(%(w{i})s) OR UPPER(last_name::text) LIKE
 UPPER(%(w{i})s) OR UPPER(company::text) LIKE UPPER(%(w{i})s) OR email::text LIKE
 LOWER(%(w{i})s){phone})"""
SHORT_WORD = """(UPPER(first_name::text) LIKE UPPER(%(w{i})s) OR UPPER(last_name::text) LIKE
 UPPER(%(w{i})s) OR UPPER(company::text) LIKE UPPER(%(w{i})s) OR email::text LIKE
 LOWER(%(w{i})s))"""
PHONE = " OR regexp_replace(phone::text, '[^0-9]', '', 'g') LIKE %(d{i})s"
COLUMNS = "id, first_name, last_name, email, company, phone, stage, created_at"

HAND_WRITTEN = """
(SELECT {columns}, 0 AS rank FROM leads_lead WHERE email = LOWER(%(text)s)
  ORDER BY created_at DESC, id DESC LIMIT %(limit)s)
UNION ALL{name_rank}
(SELECT {columns}, 2 FROM leads_lead WHERE {match}
  ORDER BY created_at DESC, id DESC LIMIT %(limit)s)
"""
# Rank 1, for a one-word text only: the first or the last name starts with it.
NAME_RANK = """
(SELECT {columns}, 1 FROM leads_lead WHERE {match}
  AND (UPPER(first_name::text) LIKE UPPER(%(first)s)
       OR UPPER(last_name::text) LIKE UPPER(%(first)s))
  ORDER BY created_at DESC, id DESC LIMIT %(limit)s)
UNION ALL"""

NAIVE = """
SELECT {columns} FROM leads_lead WHERE {match}
ORDER BY email = LOWER(%(text)s) DESC,
  (UPPER(first_name::text) LIKE UPPER(%(first)s)
   OR UPPER(last_name::text) LIKE UPPER(%(first)s)) DESC,
  created_at DESC, id DESC
LIMIT %(limit)s
"""


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def hand_written_sql(text: str, template: str) -> tuple[str, dict]:
    words = search_words(text)
    params: dict[str, object] = {"text": text, "limit": LIMIT + 1}
    params["first"] = _escape(words[0]) + "%"
    parts = []
    for i, word in enumerate(words):
        if len(word) < 3:
            params[f"w{i}"] = _escape(word) + "%"
            parts.append(SHORT_WORD.format(i=i))
            continue
        params[f"w{i}"] = "%" + _escape(word) + "%"
        digits = phone_digits(word)
        if digits:
            params[f"d{i}"] = f"%{digits}%"
        parts.append(WORD.format(i=i, phone=PHONE.format(i=i) if digits else ""))
    match = " AND ".join(parts)
    whole = phone_digits(" ".join(words)) if len(words) > 1 else ""
    if whole:
        params["whole"] = f"%{whole}%"
        match = f"(({match}) OR regexp_replace(phone::text, '[^0-9]', '', 'g') LIKE %(whole)s)"
    name_rank = NAME_RANK.format(columns=COLUMNS, match=match) if len(words) == 1 else ""
    return template.format(columns=COLUMNS, match=match, name_rank=name_rank), params


def run_sql(sql: str, params: dict) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # Merge as the selector does: rank, then newest first, each lead once.
    seen, merged = set(), []
    for row in sorted(rows, key=lambda r: (r[-1] if len(r) > 8 else 0, -r[7].timestamp())):
        if row[0] not in seen:
            seen.add(row[0])
            merged.append(row[0])
    return merged[:LIMIT]


def timed(function, repeat: int) -> float:
    function()  # warm-up
    runs = []
    for _ in range(repeat):
        began = time.perf_counter()
        function()
        runs.append(time.perf_counter() - began)
    return statistics.median(runs)


def sample_texts() -> dict[str, str]:
    """Representative texts; the phone is part of a real lead's number."""
    phones = Lead.objects.exclude(phone="").order_by("-pk").values_list("phone", flat=True)
    phone = phones[1000]
    return {
        "domain": "wonka.example",
        "company substring": "dynam",
        "first name": "grace",
        "name and surname": "grace hansen",
        "phone (7 digits)": phone[-8:],
        "2-letter prefix": "gr",
        "no match": "zzyzx",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run this against PostgreSQL: set DATABASE_URL to a database of its own.")

    call_command("migrate", verbosity=0)
    present = Lead.objects.order_by().count()
    if present < args.leads:
        print(f"Seeding {args.leads - present:,} leads (seed {args.seed})...", flush=True)
        call_command("seed_bulk", leads=args.leads - present, seed=args.seed)
    leads = Lead.objects.order_by().count()
    users = get_user_model().objects
    manager = users.get(username="seed-manager")
    rep = users.filter(groups__name=SALES).order_by("pk").first()
    client = Client()
    client.force_login(manager)

    load = os.getloadavg()
    print(
        f"{leads:,} leads, PostgreSQL {connection.pg_version // 10000}, "
        f"{platform.machine()} x{os.cpu_count()}, load {load[0]:.2f} {load[1]:.2f}. "
        f"Median of {args.repeat} runs, ms."
    )
    header = (
        f"{'text':<28}{'hits':>5}{'selector':>10}{'as rep':>9}{'by hand':>9}{'ratio':>7}"
        f"{'naive':>9}{'all kinds':>10}{'page':>8}"
    )
    print(header)
    for label, text in sample_texts().items():
        selector = timed(lambda t=text: leads_find(user=manager, text=t, limit=LIMIT), args.repeat)
        as_rep = timed(lambda t=text: leads_find(user=rep, text=t, limit=LIMIT), args.repeat)
        sql, params = hand_written_sql(text, HAND_WRITTEN)
        by_hand = timed(lambda q=sql, p=params: run_sql(q, p), args.repeat)
        naive_sql, naive_params = hand_written_sql(text, NAIVE)
        naive = timed(lambda q=naive_sql, p=naive_params: run_sql(q, p), max(1, args.repeat // 2))
        everything = timed(lambda t=text: search_everything(user=manager, text=t), args.repeat)
        page = timed(lambda t=text: client.get("/search/suggest/", {"q": t}), args.repeat)
        found = [lead.pk for lead in leads_find(user=manager, text=text, limit=LIMIT).rows]
        # Same semantics: the hand-written statement returns the same leads in the same order.
        assert found == run_sql(sql, params), (label, found, run_sql(sql, params))
        name = f"{label} ({text})"
        print(
            f"{name[:27]:<28}{len(found):>5}{selector * 1000:>10.1f}{as_rep * 1000:>9.1f}"
            f"{by_hand * 1000:>9.1f}{selector / by_hand:>7.2f}{naive * 1000:>9.1f}"
            f"{everything * 1000:>10.1f}{page * 1000:>8.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
