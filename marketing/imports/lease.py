"""Who runs an import: a lease renewed by a heartbeat, and fenced writes.

A run claims the job (status reading, `attempt` + 1, lease for IMPORT_LEASE_SECONDS) and a
thread renews the lease while the process lives. If the worker dies (SIGKILL, OOM, a lost
machine), the lease lapses and the resume sweep queues the job again within a minute; the
next run takes it over from the start. Every write a run makes to the job names its
attempt and a working status, so a run that lost its job (a stalled process coming back)
changes nothing: its progress write or its final commit finds no row and it stops.
"""

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from marketing.models import ImportJob

logger = logging.getLogger(__name__)

WORKING = (ImportJob.Status.READING, ImportJob.Status.WRITING)


class LeaseLost(Exception):
    """Another run has taken this job over: stop without touching it."""


def lease_length() -> timedelta:
    return timedelta(seconds=settings.IMPORT_LEASE_SECONDS)


def job_update_fenced(job: ImportJob, **fields) -> None:
    """Write `fields` to the job only while this run still holds it; raises LeaseLost."""
    now = timezone.now()
    fields = {"updated_at": now, "lease_until": now + lease_length(), **fields}
    written = ImportJob.objects.filter(pk=job.pk, attempt=job.attempt, status__in=WORKING).update(
        **fields
    )
    if not written:
        raise LeaseLost(f"import {job.pk}: attempt {job.attempt} was taken over")
    for name, value in fields.items():
        setattr(job, name, value)


class Heartbeat:
    """Renews the job's lease from a thread (its own database connection) every third of
    the lease, so a long read or the single long write transaction keeps the job."""

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"import-{job.pk}-lease")

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        interval = lease_length().total_seconds() / 3
        try:
            while not self._stop.wait(interval):
                try:
                    ImportJob.objects.filter(
                        pk=self.job.pk, attempt=self.job.attempt, status__in=WORKING
                    ).update(lease_until=timezone.now() + lease_length())
                except DatabaseError:
                    # The database is down or busy (SQLite's writer lock): try next beat;
                    # the lease is three beats long.
                    logger.warning("Import %s: lease not renewed", self.job.pk, exc_info=True)
        finally:
            connection.close()
