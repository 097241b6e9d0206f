"""A large bulk action, run by a real worker process on Redis and PostgreSQL (CI): the
task moves the selection chunk by chunk, and a second delivery changes nothing."""

import pytest

from funnel.models import StageChange
from funnel.stages import Stage
from leads.models import Lead
from lists.models import BulkAction
from lists.tasks import bulk_action_run
from tests.factories import LeadFactory, ManagerFactory
from tests.support import redis_only

pytestmark = [redis_only, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_worker_runs_a_queued_bulk_move_once(celery_worker):
    manager = ManagerFactory()
    leads = LeadFactory.create_batch(450)  # three chunks of 200
    action = BulkAction.objects.create(
        user=manager,
        list_kind="list",
        action="move",
        params={"to_stage": "prospect", "reason": "bulk"},
        total=len(leads),
    )

    bulk_action_run.apply_async(args=[action.pk], queue=celery_worker.queue)
    bulk_action_run.apply_async(args=[action.pk], queue=celery_worker.queue)  # redelivered
    celery_worker.wait_until(
        lambda: (
            BulkAction.objects.filter(pk=action.pk, status="done").exists()
            and len(celery_worker.succeeded(bulk_action_run.name)) == 2
        ),
        timeout=60,
        what="the bulk action to finish",
    )

    celery_worker.wait_idle()  # the new prospects' follow-ups too

    action.refresh_from_db()
    assert (action.processed, action.succeeded, action.refused) == (450, 450, 0)
    assert Lead.objects.filter(stage=Stage.PROSPECT).count() == 450
    assert StageChange.objects.filter(reason="bulk").count() == 450
