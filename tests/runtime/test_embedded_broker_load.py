"""The embedded broker (no server) under load, with the worker in its own process.

Several hundred real tasks go through a SQLite broker file to a separate `celery worker`;
each must run exactly once, and the worker must survive and shut down cleanly. kombu's
stock filesystem transport crashed a worker like this, and its stock SQLAlchemy transport
needed ~100 s for 500 tasks (1 s polling): the time bound below fails on either.
"""

import sqlite3
import time
from contextlib import closing

import pytest
from django.db import connection
from kombu import Connection

from funnel import services
from funnel.stages import Cause, Stage
from leads.models import Lead
from sales.tasks import prospects_assign_owner
from tests.celery_worker import WorkerProcess, database_url
from tests.factories import LeadFactory, RepFactory

EMBEDDED_TRANSPORT = "config.broker:Transport"
TASKS = 400
TIME_LIMIT = 60

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.real_clock]


def test_every_task_runs_exactly_once_and_the_worker_survives(tmp_path):
    reps = RepFactory.create_batch(2)
    leads = LeadFactory.create_batch(TASKS)
    lead_ids = [lead.pk for lead in leads]
    services.leads_move_bulk(
        candidates=Lead.objects.filter(pk__in=lead_ids), to_stage=Stage.PROSPECT, cause=Cause.TASK
    )
    broker_url = f"sqlite:///{tmp_path / 'broker.sqlite3'}"
    worker = WorkerProcess(
        database_url=database_url(connection.settings_dict),
        broker_url=broker_url,
        log_path=tmp_path / "worker.log",
    ).start()
    try:
        started = time.monotonic()
        with (
            Connection(broker_url, transport=EMBEDDED_TRANSPORT) as broker,
            broker.Producer() as producer,
        ):
            task_ids = [
                prospects_assign_owner.apply_async(
                    args=[[lead_id]], queue=worker.queue, producer=producer
                ).id
                for lead_id in lead_ids
            ]
        worker.wait_until(
            lambda: len(worker.succeeded(prospects_assign_owner.name)) >= TASKS,
            timeout=TIME_LIMIT,
            what=f"{TASKS} tasks",
        )
        elapsed = time.monotonic() - started
        # Room for a duplicate delivery to show up before counting.
        time.sleep(1)
        assert worker.alive
    finally:
        exit_code = worker.stop()

    runs = worker.succeeded(prospects_assign_owner.name)
    assert sorted(task_id for task_id, _ in runs) == sorted(task_ids)
    # Each task assigned its one lead: a second run of the same task would log 0.
    assert {result for _, result in runs} == {"1"}
    owners = dict(Lead.objects.filter(pk__in=lead_ids).values_list("pk", "owner_id"))
    assert set(owners.values()) <= {rep.pk for rep in reps}
    assert None not in owners.values()
    assert "Traceback" not in worker.log()
    assert exit_code == 0
    # Consumed messages are deleted, so the broker file does not grow with use.
    with closing(sqlite3.connect(tmp_path / "broker.sqlite3")) as broker_db:
        assert broker_db.execute("SELECT COUNT(*) FROM kombu_message").fetchone() == (0,)
    print(f"embedded broker: {TASKS} tasks published and run in {elapsed:.1f}s")
