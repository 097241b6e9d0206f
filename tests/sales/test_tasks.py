"""The Celery tasks call their service and are safe to run twice; beat knows them."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from funnel.stages import Stage
from leads.models import Lead
from sales import tasks
from sales.models import Activity
from tests.sales.factories import EnrolmentFactory, prospect

pytestmark = pytest.mark.django_db


def test_the_cadence_task_is_idempotent(rep):
    EnrolmentFactory(lead=prospect(owner=rep), started_at=timezone.now() - timedelta(days=3))
    assert tasks.sequence_steps_create_due.apply().get() == 2
    assert tasks.sequence_steps_create_due.apply().get() == 0
    assert Activity.objects.count() == 2


def test_the_stale_task_is_idempotent(rep, settings):
    settings.SALES_RECYCLE_AFTER_DAYS = 10
    lead = prospect(owner=rep, at=timezone.now() - timedelta(days=11))
    assert tasks.stale_prospects_recycle.apply().get() == 1
    assert tasks.stale_prospects_recycle.apply().get() == 0
    assert Lead.objects.get(pk=lead.pk).stage == Stage.LEAD


def test_beat_runs_both_sweeps_under_their_registered_names():
    sweeps = {"sales.tasks.sequence_steps_create_due", "sales.tasks.stale_prospects_recycle"}
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert sweeps <= scheduled
    assert sweeps <= set(tasks.sequence_steps_create_due.app.tasks)
