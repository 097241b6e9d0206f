"""Several workers run the beat task at once: no lead is moved or assigned twice, whether
the runs score everyone (first run) or only what changed since the watermark (PostgreSQL
only: SQLite serialises every writer, so there is no race to lose)."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from funnel.models import StageChange
from leads.models import Lead
from marketing.models import ScoringRules, ScoringWatermark, Touch
from sales.models import OwnerChange
from tests.factories import RepFactory
from tests.support import postgres_only

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True), pytest.mark.real_clock]
ROOT = Path(__file__).resolve().parents[2]
N_LEADS = 1000


def run_in_parallel(processes: int = 4, rounds: int = 2) -> None:
    url = urlsplit(os.environ["DATABASE_URL"])
    env = {
        **os.environ,
        "DATABASE_URL": urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"])),
        # Small batches, so the workers interleave rather than one taking everything.
        "FUNNEL_BULK_MOVE_BATCH": "50",
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.marketing.concurrent_qualify", str(rounds)],
            cwd=ROOT,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-3000:]


def assert_each_moved_and_assigned_once(reps, hot_ids) -> None:
    assert Lead.objects.filter(stage="prospect").count() == len(hot_ids)
    moves = StageChange.objects.values("lead").annotate(n=Count("id"))
    assert moves.count() == len(hot_ids) and not moves.filter(n__gt=1).exists()
    assert set(moves.values_list("lead", flat=True)) == set(hot_ids)
    assignments = OwnerChange.objects.values("lead").annotate(n=Count("id"))
    assert assignments.count() == len(hot_ids) and not assignments.filter(n__gt=1).exists()
    owners = set(Lead.objects.filter(pk__in=hot_ids).values_list("owner", flat=True))
    assert owners <= {rep.pk for rep in reps}


def test_parallel_runs_move_and_assign_each_lead_once():
    reps = RepFactory.create_batch(3)
    ScoringRules.objects.update(mql_threshold=10)
    Lead.objects.bulk_create(Lead(email=f"hot{i}@example.com") for i in range(N_LEADS))
    Touch.objects.bulk_create(
        Touch(lead=lead, kind="form_submit", at=timezone.now()) for lead in Lead.objects.all()
    )

    run_in_parallel()

    assert_each_moved_and_assigned_once(reps, list(Lead.objects.values_list("pk", flat=True)))


def test_parallel_incremental_runs_move_and_assign_each_lead_once():
    reps = RepFactory.create_batch(3)
    ScoringRules.objects.update(mql_threshold=10)
    hour_ago = timezone.now() - timedelta(hours=1)
    # Scored by an earlier run, nothing written since: a stale stored score stays stale.
    Lead.objects.bulk_create(
        Lead(email=f"quiet{i}@example.com", score=5, updated_at=hour_ago) for i in range(200)
    )
    Lead.objects.filter(email__startswith="quiet").update(updated_at=hour_ago)
    ScoringWatermark.objects.create(pk=1, scored_through=hour_ago + timedelta(minutes=30))
    hot = Lead.objects.bulk_create(Lead(email=f"hot{i}@example.com") for i in range(N_LEADS))
    Touch.objects.bulk_create(Touch(lead=lead, kind="form_submit") for lead in hot)

    run_in_parallel()

    assert_each_moved_and_assigned_once(reps, [lead.pk for lead in hot])
    quiet = Lead.objects.filter(email__startswith="quiet")
    assert set(quiet.values_list("score", "stage")) == {(5, "lead")}
    assert ScoringWatermark.objects.get().scored_through > hour_ago + timedelta(minutes=30)
