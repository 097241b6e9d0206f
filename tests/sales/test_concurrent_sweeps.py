"""Two workers run the cadence and stale-prospect sweeps at the same moment (PostgreSQL
only: SQLite serialises writers, so the race cannot happen there)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from funnel.models import StageChange
from funnel.stages import Stage
from leads.models import Lead
from sales import services
from sales.models import Activity, Enrolment, SequenceStep
from tests.factories import RepFactory
from tests.sales.factories import SequenceFactory
from tests.support import postgres_only

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]

N = 300


def run_at_once(target, workers: int = 2) -> list:
    barrier = threading.Barrier(workers)
    results, errors = [], []

    def work():
        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:  # surfaced below with the test's assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def many_prospects(rep, *, days_ago: int) -> list[int]:
    then = timezone.now() - timedelta(days=days_ago)
    Lead.objects.bulk_create(
        Lead(
            email=f"p{i}@example.com",
            stage=Stage.PROSPECT,  # test data only: the sweeps under test do the moving
            stage_changed_at=then,
            created_at=then,
            owner=rep,
        )
        for i in range(N)
    )
    return list(Lead.objects.values_list("pk", flat=True))


def test_each_step_of_each_enrolment_becomes_exactly_one_task():
    rep = RepFactory()
    lead_ids = many_prospects(rep, days_ago=1)
    sequence = SequenceFactory()
    started = timezone.now() - timedelta(days=3)
    Enrolment.objects.bulk_create(
        services.enrolment_new(sequence=sequence, lead_id=pk, enrolled_by=rep, started_at=started)
        for pk in lead_ids
    )
    due_per_enrolment = SequenceStep.objects.filter(sequence=sequence, day_offset__lte=3).count()

    created = run_at_once(services.sequence_steps_create_due)

    assert sum(created) == N * due_per_enrolment
    assert Activity.objects.count() == N * due_per_enrolment
    assert not (
        Activity.objects.values("enrolment", "step").annotate(n=Count("id")).filter(n__gt=1)
    ).exists()


def test_each_stale_prospect_is_recycled_once(settings):
    settings.SALES_RECYCLE_AFTER_DAYS = 30
    settings.FUNNEL_BULK_MOVE_BATCH = 50
    rep = RepFactory()
    many_prospects(rep, days_ago=40)

    moved = run_at_once(services.stale_prospects_recycle)

    assert sorted(pk for ids in moved for pk in ids) == sorted(
        Lead.objects.values_list("pk", flat=True)
    )
    assert StageChange.objects.filter(to_stage=Stage.LEAD).count() == N
    assert not Lead.objects.filter(stage=Stage.PROSPECT).exists()
