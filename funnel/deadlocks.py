"""Retry a whole transaction that PostgreSQL chose as a deadlock victim.

Writers of leads take their locks in address order, but the CSV import locks the
addresses it knows before inserting the new ones while the upserts insert first: two such
writers can each wait for the other, and PostgreSQL then aborts one of them. The aborted
transaction wrote nothing, so running it again is safe and is what a person would do.
"""

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import OperationalError, connection

logger = logging.getLogger(__name__)

DEADLOCK_DETECTED = "40P01"
ATTEMPTS = 4

T = TypeVar("T")


def is_deadlock(exc: BaseException) -> bool:
    return getattr(exc.__cause__, "pgcode", None) == DEADLOCK_DETECTED


def deadlock_retried(run: Callable[[], T], *, what: str) -> T:
    """Call `run` (which opens and commits its own transaction) again when it was a
    deadlock victim. Inside an outer transaction nothing can be retried: it raises."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return run()
        except OperationalError as exc:
            if attempt == ATTEMPTS or connection.in_atomic_block or not is_deadlock(exc):
                raise
            logger.warning("%s: deadlock victim, retrying (attempt %s)", what, attempt + 1)
            # A little jitter, so the two writers do not meet again at once.
            time.sleep(random.uniform(0.01, 0.05) * attempt)
    raise AssertionError("unreachable")
