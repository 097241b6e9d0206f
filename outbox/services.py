"""The outbox: add a task intent in the cause's transaction, run it once, re-drive what is due.

Claims are compare-and-set UPDATEs checked by row count (as healthchecks' sendalerts does),
so two deliveries of the same message, or two workers, run a row once.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from outbox.models import OutboxTask
from outbox.publish import task_publish, task_publish_on_commit

logger = logging.getLogger(__name__)

# The publish after commit normally runs the row within seconds; the drain sweep publishes
# it again only if it is still there this long after (a lost message, a broker outage).
REPUBLISH_AFTER = timedelta(minutes=2)
# Retries back off exponentially up to an hour.
BACKOFF_CAP = timedelta(hours=1)


def _lease() -> timedelta:
    # The runner task is killed at the hard time limit, so a live claim never lapses.
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def outbox_add(*, task: str, kwargs: dict | None = None, now: datetime | None = None) -> OutboxTask:
    """Record that `task` (a dotted path to a Celery task) must run with `kwargs`. Call it
    inside the cause's transaction: a rollback leaves no row and publishes nothing."""
    from outbox import tasks

    now = now or timezone.now()
    row = OutboxTask.objects.create(task=task, kwargs=kwargs or {}, due_at=now + REPUBLISH_AFTER)
    task_publish_on_commit(tasks.outbox_task_run, row.pk)
    return row


def outbox_task_run(*, row_id: int, now: datetime | None = None) -> bool:
    """Run one row's task in this process and delete the row; False if another worker holds
    it or it already ran. A failure is recorded and retried later by the drain sweep."""
    now = now or timezone.now()
    claimed = (
        OutboxTask.objects.filter(pk=row_id)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + _lease(), attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    row = OutboxTask.objects.get(pk=row_id)
    try:
        import_string(row.task)(**row.kwargs)
    except Exception as exc:
        backoff = min(BACKOFF_CAP, timedelta(seconds=30 * 2 ** (row.attempts - 1)))
        OutboxTask.objects.filter(pk=row_id).update(
            claimed_until=None, due_at=timezone.now() + backoff, last_error=repr(exc)[:2000]
        )
        raise
    OutboxTask.objects.filter(pk=row_id).delete()
    return True


def outbox_drain(*, now: datetime | None = None, limit: int = 200) -> int:
    """The sweep: publish the rows that are due and not held by a live worker, pushing their
    due time forward first so the next sweep does not publish them again meanwhile."""
    from outbox import tasks

    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            OutboxTask.objects.select_for_update(skip_locked=True)
            .filter(due_at__lte=now)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .order_by("due_at")
            .values_list("pk", flat=True)[:limit]
        )
        OutboxTask.objects.filter(pk__in=due).update(due_at=now + REPUBLISH_AFTER)
    published = sum(task_publish(tasks.outbox_task_run, pk) for pk in due)
    if published < len(due):
        logger.warning("Outbox: published %s of %s due tasks", published, len(due))
    return published
