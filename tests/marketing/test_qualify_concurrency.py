"""Several workers run the beat task at once: no lead is moved or assigned twice
(PostgreSQL only: SQLite serialises every writer, so there is no race to lose)."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from funnel.models import StageChange
from leads.models import Lead
from marketing.models import ScoringRules, Touch
from sales.models import OwnerChange
from tests.factories import RepFactory
from tests.support import postgres_only

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
N_LEADS = 1000


def test_parallel_runs_move_and_assign_each_lead_once():
    reps = RepFactory.create_batch(3)
    ScoringRules.objects.update(mql_threshold=10)
    Lead.objects.bulk_create(Lead(email=f"hot{i}@example.com") for i in range(N_LEADS))
    Touch.objects.bulk_create(
        Touch(lead=lead, kind="form_submit", at=timezone.now()) for lead in Lead.objects.all()
    )
    url = urlsplit(os.environ["DATABASE_URL"])
    env = {
        **os.environ,
        "DATABASE_URL": urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"])),
        # Small batches, so the workers interleave rather than one taking everything.
        "FUNNEL_BULK_MOVE_BATCH": "50",
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.marketing.concurrent_qualify", "2"],
            cwd=ROOT,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-3000:]

    assert Lead.objects.filter(stage="prospect").count() == N_LEADS
    moves = StageChange.objects.values("lead").annotate(n=Count("id"))
    assert moves.count() == N_LEADS and not moves.filter(n__gt=1).exists()
    assignments = OwnerChange.objects.values("lead").annotate(n=Count("id"))
    assert assignments.count() == N_LEADS and not assignments.filter(n__gt=1).exists()
    assert not Lead.objects.filter(owner__isnull=True).exists()
    assert set(Lead.objects.values_list("owner", flat=True)) <= {rep.pk for rep in reps}
