"""Who runs an import: a lease renewed by a heartbeat, and fenced writes.

A run claims the job (status reading, `attempt` + 1, lease for IMPORT_LEASE_SECONDS) and a
thread renews the lease while the process lives. If the worker dies (SIGKILL, OOM, a lost
machine), the lease lapses and the resume sweep queues the job again within a minute; the
next run takes it over from the start. Every write a run makes to the job names its
attempt and a working status, so a run that lost its job (a stalled process coming back)
changes nothing: its progress write or its final commit finds no row and it stops.
"""

import logging
import os
import select
import signal
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
    the lease, so a long read or the single long write transaction keeps the job.

    It also makes a shutdown prompt: a SIGTERM to the pool process (Celery without
    REMAP_SIGTERM) is only handled once the running SQL statement returns, which for a
    merge can take minutes. The thread sees the signal through the wakeup fd and cancels
    that statement (PostgreSQL), so the process exits within seconds and the job resumes.
    """

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"import-{job.pk}-lease")
        self._wakeup: tuple[int, int] | None = None
        self._previous_fd = -1
        self._main_connection = None

    def __enter__(self) -> "Heartbeat":
        in_main_thread = threading.current_thread() is threading.main_thread()
        if connection.vendor == "postgresql" and in_main_thread:
            read, write = os.pipe()
            os.set_blocking(write, False)
            self._previous_fd = signal.set_wakeup_fd(write, warn_on_full_buffer=False)
            if self._previous_fd == -1:
                self._wakeup = (read, write)
                connection.ensure_connection()
                self._main_connection = connection.connection
            else:  # Someone else listens already: leave their fd in place.
                signal.set_wakeup_fd(self._previous_fd)
                os.close(read)
                os.close(write)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._wakeup is not None:
            os.write(self._wakeup[1], b"\0")  # Wake the thread now.
        self._thread.join()
        if self._wakeup is not None:
            signal.set_wakeup_fd(-1)
            for fd in self._wakeup:
                os.close(fd)

    def _wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`; True once the run is over. Cancels the main thread's SQL
        statement when a SIGTERM arrives meanwhile."""
        if self._wakeup is None:
            return self._stop.wait(seconds)
        ready, _, _ = select.select([self._wakeup[0]], [], [], seconds)
        if ready:
            signals = os.read(self._wakeup[0], 64)
            if signal.SIGTERM in signals and not self._stop.is_set():
                logger.warning("Import %s: shutting down; cancelling its statement", self.job.pk)
                self._main_connection.cancel()
        return self._stop.is_set()

    def _run(self) -> None:
        interval = lease_length().total_seconds() / 3
        try:
            while not self._wait(interval):
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
