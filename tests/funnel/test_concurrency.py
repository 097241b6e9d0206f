"""Several processes move the same 2,000 leads at once (PostgreSQL only: SQLite serialises
every writer, so races cannot happen there)."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection
from django.db.models import Count, F, OuterRef, Subquery

from funnel.models import StageChange
from leads.models import Lead
from tests.support import postgres_only

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True), pytest.mark.real_clock]

ROOT = Path(__file__).resolve().parents[2]
N_LEADS = 2000


def create_leads() -> list[int]:
    Lead.objects.bulk_create(Lead(email=f"race{i}@example.com") for i in range(N_LEADS))
    return list(Lead.objects.values_list("pk", flat=True))


def run_movers(jobs: list[tuple[str, str]], lead_ids: list[int]) -> None:
    """Start one process per (mode, to_stage) job, all at once, and wait for them."""
    url = urlsplit(os.environ["DATABASE_URL"])
    test_db_url = urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))
    env = {**os.environ, "DATABASE_URL": test_db_url, "CELERY_TASK_ALWAYS_EAGER": "true"}
    ids = [str(i) for i in lead_ids]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.funnel.concurrent_mover", mode, to, str(seed), *ids],
            cwd=ROOT,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed, (mode, to) in enumerate(jobs)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-3000:]


def assert_history_agrees_with_stage():
    duplicated = (
        StageChange.objects.values("lead_id", "from_stage", "to_stage", "from_stage_entered_at")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not duplicated.exists()
    last_move = StageChange.objects.filter(lead=OuterRef("pk")).order_by("-at", "-id")
    leads = Lead.objects.annotate(last_to=Subquery(last_move.values("to_stage")[:1]))
    assert not leads.filter(last_to__isnull=False).exclude(last_to=F("stage")).exists()


@pytest.mark.parametrize("mode", ["single", "bulk", "mixed"])
def test_racing_movers_write_one_change_per_real_move(mode):
    lead_ids = create_leads()
    modes = {"single": ["single"] * 4, "bulk": ["bulk"] * 4, "mixed": ["single", "bulk"] * 2}[mode]

    run_movers([(m, "prospect") for m in modes], lead_ids)

    assert Lead.objects.filter(stage="prospect").count() == N_LEADS
    assert StageChange.objects.count() == N_LEADS
    assert_history_agrees_with_stage()


def test_competing_targets_each_lead_moves_once():
    """Half the processes qualify, half disqualify: each lead takes exactly one move."""
    lead_ids = create_leads()

    run_movers(
        [
            ("single", "prospect"),
            ("bulk", "disqualified"),
            ("bulk", "prospect"),
            ("single", "disqualified"),
        ],
        lead_ids,
    )

    per_lead = StageChange.objects.values("lead_id").annotate(n=Count("id"))
    assert {row["n"] for row in per_lead} == {1}
    assert per_lead.count() == N_LEADS
    assert_history_agrees_with_stage()


def test_chained_moves_happen_once_each():
    """lead → prospect and prospect → customer race at once, several processes each."""
    lead_ids = create_leads()

    run_movers(
        [
            ("bulk", "prospect"),
            ("single", "customer"),
            ("single", "prospect"),
            ("bulk", "customer"),
        ],
        lead_ids,
    )
    # Whatever the race left in `lead`, a second round finishes; nothing is duplicated.
    run_movers([("bulk", "prospect"), ("single", "prospect")], lead_ids)
    run_movers([("bulk", "customer"), ("single", "customer")], lead_ids)

    assert Lead.objects.filter(stage="customer").count() == N_LEADS
    pairs = StageChange.objects.values_list("from_stage", "to_stage").annotate(n=Count("id"))
    assert {(f, t): n for f, t, n in pairs} == {
        ("lead", "prospect"): N_LEADS,
        ("prospect", "customer"): N_LEADS,
    }
    assert_history_agrees_with_stage()
