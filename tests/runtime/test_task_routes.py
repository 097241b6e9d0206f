"""Tasks reach their queue group (docs/operations.md, "Queues"): a dead webhook receiver or a
backlog of sweeps never sits in front of owner assignment or an import."""

import pytest

from config.celery import app

INTERACTIVE = [
    "sales.tasks.prospects_assign_owner",
    "marketing.tasks.lead_import_run",
    "marketing.tasks.scores_recompute",
    "funnel.tasks.qualify_scored_leads",
    "sales.tasks.sequence_steps_create_due",
    "outbox.tasks.outbox_task_run",
]
WEBHOOKS = ["integrations.tasks.webhooks_dispatch"]
MAINTENANCE = [
    "integrations.tasks.webhooks_sweep",
    "outbox.tasks.outbox_drain",
    "sales.tasks.prospects_assign_ownerless",
    "marketing.tasks.lead_imports_resume",
    "integrations.tasks.idempotency_records_purge",
    "funnel.tasks.metric_rollups_refresh",
    "sales.tasks.stale_prospects_recycle",
]


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [(name, "interactive") for name in INTERACTIVE]
    + [(name, "webhooks") for name in WEBHOOKS]
    + [(name, "maintenance") for name in MAINTENANCE],
)
def test_each_task_goes_to_its_queue_group(task_name, queue):
    assert queue_of(task_name) == queue


def test_every_sweep_on_the_beat_schedule_expires_after_one_period(settings):
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        period = entry["schedule"].total_seconds()
        assert 0 < entry["options"]["expire_seconds"] <= max(10, period), name
