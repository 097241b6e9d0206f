"""Publish a Celery task after commit, best-effort.

Celery's `delay_on_commit` raises from inside `on_commit` when the broker is unreachable,
after the transaction has committed: the request answers 500 for a change that happened.
Here a failed publish is logged and left to the sweep that re-derives the work (every
caller has one: see the module docstring of `outbox`).
"""

import logging
from functools import partial

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)


def task_publish(task: Task, *args, **kwargs) -> bool:
    """Send `task` now; False (logged) if the broker refused. Never raises."""
    try:
        task.apply_async(args=args, kwargs=kwargs)
    except Exception:
        # Broad on purpose: kombu, redis and socket errors differ by transport.
        logger.warning("Could not publish %s; a sweep will re-drive it", task.name, exc_info=True)
        return False
    return True


def task_publish_on_commit(task: Task, *args, **kwargs) -> None:
    """Send `task` once the current transaction commits (at once outside one); a rollback
    sends nothing, a broker error after commit is logged, never raised."""
    transaction.on_commit(partial(task_publish, task, *args, **kwargs))
