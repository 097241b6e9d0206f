"""On the embedded broker, work queued from inside a task reaches the worker too.

The periodic mover runs in a prefork pool process; the moves it makes queue owner
assignment (funnel.followups) from that process, through the same SQLite broker file,
and the worker runs those follow-ups. This is `make run` with no server at all.
"""

import pytest
from django.db import connection
from kombu import Connection

from funnel.models import StageChange
from funnel.stages import Cause, Stage
from funnel.tasks import qualify_scored_leads
from leads.models import Lead
from marketing.models import FitRule
from marketing.scoring import scoring_rules_get
from sales.tasks import prospects_assign_owner
from tests.celery_worker import WorkerProcess, database_url
from tests.factories import LeadFactory, RepFactory

EMBEDDED_TRANSPORT = "config.broker:Transport"
LEADS = 40

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.real_clock]


def test_follow_ups_queued_by_a_task_are_run_by_the_worker(tmp_path):
    threshold = scoring_rules_get().mql_threshold
    FitRule.objects.create(field=FitRule.Field.INDUSTRY, value="Software", points=threshold)
    reps = RepFactory.create_batch(2)
    lead_ids = [lead.pk for lead in LeadFactory.create_batch(LEADS, industry="Software")]
    broker_url = f"sqlite:///{tmp_path / 'broker.sqlite3'}"
    worker = WorkerProcess(
        database_url=database_url(connection.settings_dict),
        broker_url=broker_url,
        log_path=tmp_path / "worker.log",
    ).start()
    try:
        with (
            Connection(broker_url, transport=EMBEDDED_TRANSPORT) as broker,
            broker.Producer() as producer,
        ):
            sweep = qualify_scored_leads.apply_async(queue=worker.queue, producer=producer)
        worker.wait_until(
            lambda: not Lead.objects.filter(pk__in=lead_ids, owner__isnull=True).exists(),
            timeout=60,
            what="the follow-ups to assign owners",
        )
        assert worker.alive
    finally:
        exit_code = worker.stop()

    assert dict(worker.succeeded(qualify_scored_leads.name))[sweep.id] == str(LEADS)
    assert worker.succeeded(prospects_assign_owner.name)
    owners = set(Lead.objects.filter(pk__in=lead_ids).values_list("owner", flat=True))
    assert owners <= {rep.pk for rep in reps}
    history = StageChange.objects.filter(lead__in=lead_ids)
    assert history.count() == LEADS
    assert set(history.values_list("to_stage", "cause")) == {(Stage.PROSPECT, Cause.RULE)}
    assert "Traceback" not in worker.log()
    assert exit_code == 0
