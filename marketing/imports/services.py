"""The CSV import of leads: upload, map the columns, run (dry or for real) in a worker.

A run has two phases. *Reading* streams the file line by line into the staging table in
committed batches (progress is visible, memory is flat, bad lines go to a report file).
*Writing* merges the staged rows into leads in ONE transaction. Nothing reaches a lead
before the writing phase, and the writing phase commits whole or not at all, so a broken
file, a crash or a refused import never leaves half of it behind.
"""

from __future__ import annotations

import csv
import logging
import os
import time
from collections.abc import Iterator, Mapping
from datetime import datetime
from itertools import islice

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from funnel.deadlocks import deadlock_retried
from marketing.exports import spreadsheet_text
from marketing.imports import aliases, merge, staging
from marketing.imports.field_rules import modes_clean
from marketing.imports.lease import Heartbeat, LeaseLost, job_update_fenced, lease_length
from marketing.imports.preview import PreviewLine, preview_lines_check
from marketing.imports.reader import (
    DELIMITERS,
    BadLine,
    ImportFileError,
    Position,
    Preview,
    file_preview,
    mapping_check,
    rows_read,
)
from marketing.models import Campaign, ImportJob, TouchKind
from outbox.publish import task_publish_on_commit

logger = logging.getLogger(__name__)

# Rows per staging statement (and per progress update).
BATCH_ROWS = getattr(
    settings,
    "MARKETING_IMPORT_BATCH_ROWS",
    50_000 if connection.vendor == "postgresql" else 10_000,
)
MAX_UPLOAD_BYTES = getattr(settings, "MARKETING_IMPORT_MAX_BYTES", 2 * 1024**3)


def import_job_create(
    *, upload: UploadedFile, encoding: str, actor: AbstractBaseUser | None
) -> ImportJob:
    """Store an upload and read its header; raises ValidationError saying what is wrong
    with the file (nothing is stored then)."""
    if encoding not in ImportJob.Encoding.values:
        raise ValidationError({"encoding": "Choose one of the listed encodings."})
    if not upload.size:
        raise ValidationError({"file": "The file is empty."})
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {"file": f"Files are at most {MAX_UPLOAD_BYTES // 1024**2:,} MB; split it."}
        )
    upload.seek(0)
    preview = _preview_or_error(upload, encoding=encoding, delimiter=None)
    upload.seek(0)
    job = ImportJob(
        original_name=(upload.name or "leads.csv")[:255],
        size=upload.size,
        encoding=encoding,
        delimiter=preview.delimiter,
        columns=preview.columns,
        mapping=preview.suggested,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    job.file.save(upload.name or "leads.csv", upload, save=False)
    job.save()
    return job


def import_job_preview(*, job: ImportJob, delimiter: str | None = None) -> Preview:
    with open(job.file.path, "rb") as raw:
        return _preview_or_error(raw, encoding=job.encoding, delimiter=delimiter or job.delimiter)


def import_job_preview_lines(
    *, job: ImportJob, preview: Preview, mapping: list[str]
) -> list[PreviewLine]:
    """The preview's rows, each checked as a run with `mapping` would check it."""
    with open(job.file.path, "rb") as raw:
        return preview_lines_check(raw, preview=preview, encoding=job.encoding, mapping=mapping)


def _preview_or_error(raw, *, encoding: str, delimiter: str | None) -> Preview:
    try:
        return file_preview(raw, encoding=encoding, delimiter=delimiter)
    except ImportFileError as exc:
        raise ValidationError({"file": str(exc)}) from None


def import_job_start(
    *,
    job: ImportJob,
    mapping: list[str],
    delimiter: str,
    dry_run: bool,
    skip_bad_lines: bool,
    campaign: Campaign | None = None,
    touch_kind: str = "",
    column_modes: Mapping[str, str] | None = None,
) -> ImportJob:
    """Queue a run with this column mapping and, per lead field, how the file's values
    meet existing leads (`column_modes`, see `marketing.imports.field_rules`). Refused
    while the job runs or once it has imported (upload the file again to import it again)."""
    if delimiter not in DELIMITERS:
        raise ValidationError({"delimiter": "Choose one of the listed separators."})
    if touch_kind and touch_kind not in TouchKind.values:
        raise ValidationError({"touch_kind": "Choose one of the listed touch kinds."})
    if delimiter != job.delimiter:
        job.columns = import_job_preview(job=job, delimiter=delimiter).columns
    mapping_check(mapping, columns=len(job.columns))
    job.column_modes = modes_clean(column_modes)
    unmapped = sorted(set(job.column_modes) - set(mapping))
    if unmapped:
        # A choice for a column the file does not have would silently do nothing.
        raise ValidationError(
            {"column_modes": f"No column of the file is mapped to: {', '.join(unmapped)}."}
        )
    if not import_job_may_start(job):
        raise ValidationError("This import is running or already done.")
    job.mapping, job.delimiter, job.dry_run = mapping, delimiter, dry_run
    job.skip_bad_lines, job.campaign, job.touch_kind = skip_bad_lines, campaign, touch_kind
    job.status, job.message = ImportJob.Status.QUEUED, ""
    job.started_at = job.finished_at = None
    # The message sent on commit has this long to start a run before the resume sweep
    # sends another (the first was lost, or the broker was down).
    job.lease_until = timezone.now() + lease_length()
    job.save()
    from marketing import tasks

    task_publish_on_commit(tasks.lead_import_run, job.pk)
    return job


def import_job_may_start(job: ImportJob) -> bool:
    # A running job whose worker died is resumed by the sweep, not by a person.
    return job.status in (
        ImportJob.Status.UPLOADED,
        ImportJob.Status.CHECKED,
        ImportJob.Status.FAILED,
    )


def import_job_is_stale(job: ImportJob, *, now: datetime | None = None) -> bool:
    """Queued or running, but nobody holds it: its worker died (or its message was lost)
    and the resume sweep is about to queue it again."""
    now = now or timezone.now()
    return job.is_running and (job.lease_until is None or job.lease_until < now)


def _interruptions() -> tuple[type[Exception], ...]:
    # Raw driver errors too: COPY runs on the driver's cursor, outside Django's wrapping.
    driver = connection.Database
    return (OperationalError, InterfaceError, driver.OperationalError, driver.InterfaceError)


# A job interrupted this many times is failed rather than started again: something other
# than a lost worker stops it every time.
MAX_ATTEMPTS = 5


def import_jobs_resume(*, now: datetime | None = None) -> list[int]:
    """The sweep: queue again every running job whose lease lapsed (its worker died, its
    message was lost or never sent) and send a run for it. The status goes back to queued
    with a message, so the page says what happened; the next run starts it over."""
    from marketing import tasks

    now = now or timezone.now()
    with transaction.atomic():
        lapsed = list(
            ImportJob.objects.select_for_update(skip_locked=True)
            .filter(status__in=ImportJob.RUNNING)
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
            .values_list("pk", "status", "attempt")
        )
        resumed = []
        for pk, status, attempt in lapsed:
            if attempt >= MAX_ATTEMPTS:
                logger.error("Import %s: interrupted %s times; failed", pk, attempt)
                ImportJob.objects.filter(pk=pk).update(
                    status=ImportJob.Status.FAILED,
                    lease_until=None,
                    finished_at=now,
                    message=f"The import was interrupted {attempt} times; nothing was "
                    "imported. Start it again, or split the file.",
                )
                continue
            fields = {"status": ImportJob.Status.QUEUED, "lease_until": now + lease_length()}
            if status != ImportJob.Status.QUEUED:
                fields["message"] = "The worker running this import stopped; it starts again."
                logger.warning("Import %s: worker lost while %s; queued again", pk, status)
            ImportJob.objects.filter(pk=pk).update(**fields)
            task_publish_on_commit(tasks.lead_import_run, pk)
            resumed.append(pk)
    # A stopped run's last batch can land after the run that took over has finished and
    # cleaned up: such rows belong to no running job, and the sweep removes them.
    staging.rows_delete_finished(statuses=ImportJob.FINISHED)
    return resumed


def import_job_run(*, job_id: int) -> ImportJob | None:
    """The worker's side. Claims the queued job with a conditional UPDATE, so a second
    delivery of the same task (or two workers) runs it once; returns None if it was not
    claimable. A job whose worker died is queued again by `import_jobs_resume`."""
    now = timezone.now()
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.READING,
        attempt=F("attempt") + 1,
        lease_until=now + lease_length(),
        started_at=now,
        updated_at=now,
        message="",
        report="",
        **dict.fromkeys(COUNTERS, 0),
    )
    if not claimed:
        return None
    job = ImportJob.objects.get(pk=job_id)
    staging.rows_delete(job_id=job.pk)  # Left by a run whose worker died mid-read.
    try:
        with Heartbeat(job):
            try:
                _run(job)
            except ImportFileError as exc:
                _fail(job, str(exc))
            except (LeaseLost, *_interruptions()):
                # Taken over, the database went away or the worker is shutting down (a
                # cancelled COPY): not the file's fault. The lease lapses and the resume
                # sweep starts the job again (at most MAX_ATTEMPTS times).
                raise
            except Exception:
                logger.exception("Import %s failed", job.pk)
                _fail(job, "The import stopped on an unexpected error; nothing was imported.")
                raise
    except LeaseLost:
        # Another run owns the job and its staging rows now: leave both alone.
        logger.warning("Import %s: taken over by another run; this one stops", job.pk)
        return None
    staging.rows_delete(job_id=job.pk)
    return job


COUNTERS = (
    "bytes_read",
    "lines_read",
    "rows_valid",
    "rows_bad",
    "rows_repeated",
    "leads_new",
    "leads_existing",
    "leads_changed",
    "leads_moved",
)


def _run(job: ImportJob) -> None:
    started = time.monotonic()
    position = Position()
    report = _Report(job)
    with open(job.file.path, "rb") as raw:
        items = rows_read(
            raw,
            encoding=job.encoding,
            delimiter=job.delimiter,
            mapping=job.mapping,
            position=position,
        )
        good = _good_rows(items, report)
        while True:
            # One committed statement per batch, fed lazily: memory holds one chunk.
            appended = staging.rows_append(job_id=job.pk, rows=islice(good, BATCH_ROWS))
            job.rows_valid += appended
            job.rows_bad = report.count
            # Lines with data: the header names columns, it is not a line of leads.
            job.lines_read = max(position.lines - 1, 0)
            job.bytes_read = raw.tell()
            _progress(job, "rows_valid", "rows_bad", "lines_read", "bytes_read")
            if appended < BATCH_ROWS:
                break
    report.close()
    aliases.staged_aliases_resolve(job_id=job.pk)
    merge.staging_analyze()
    logger.info(
        "Import %s: read %s lines (%s good, %s bad) in %.1f s",
        job.pk,
        position.lines,
        job.rows_valid,
        report.count,
        time.monotonic() - started,
    )
    job.report = report.name or ""
    job.rows_bad = report.count
    if job.rows_valid == 0 and job.rows_bad == 0:
        raise ImportFileError("The file has a header but no lines with leads.")
    distinct = merge.staged_counts(job_id=job.pk) if job.dry_run else None
    if job.dry_run:
        job.rows_repeated = job.rows_valid - distinct.distinct
        job.leads_existing = distinct.existing
        job.leads_new = distinct.distinct - distinct.existing
        job.changes_preview = merge.leads_diff_existing(
            job_id=job.pk,
            mapped=job.mapping,
            campaign=job.campaign,
            modes=job.column_modes,
            importer_id=job.created_by_id,
        )
        job.leads_changed = job.changes_preview["leads_changed"]
        _finish(job, ImportJob.Status.CHECKED, _summary(job))
        return
    if job.rows_bad and not job.skip_bad_lines:
        _finish(
            job,
            ImportJob.Status.FAILED,
            f"{_count(job.rows_bad, 'bad line')} (see the report); nothing was imported. Fix "
            "them, or run the import again choosing to skip bad lines.",
        )
        return
    job.status = ImportJob.Status.WRITING
    job_update_fenced(job, status=ImportJob.Status.WRITING)
    started = time.monotonic()
    deadlock_retried(lambda: _write(job), what=f"import {job.pk}")
    logger.info("Import %s: merged into leads in %.1f s", job.pk, time.monotonic() - started)


def _write(job: ImportJob) -> None:
    now = timezone.now()
    step = _Steps(job)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # If this worker dies, PostgreSQL notices within seconds and rolls the merge
            # back, instead of running its statement on and holding the rows the next
            # run needs.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL client_connection_check_interval = 2000")
        distinct = merge.staged_counts(job_id=job.pk, existing=False).distinct
        repeated = distinct < job.rows_valid
        step.done("count addresses")
        policy = {
            "job_id": job.pk,
            "mapped": job.mapping,
            "campaign": job.campaign,
            "now": now,
            "repeated": repeated,
            "modes": job.column_modes,
            "importer_id": job.created_by_id,
        }
        existing = merge.leads_lock_existing(job_id=job.pk)
        step.done("lock existing")
        job.leads_changed = merge.leads_update_existing(**policy)
        step.done("update existing")
        job.leads_new = merge.leads_insert_new(
            job_id=job.pk, campaign=job.campaign, now=now, repeated=repeated
        )
        step.done("insert new")
        if existing + job.leads_new < distinct:
            # Another writer created some of the file's addresses since the lock: the
            # INSERT skipped them, so they are merged into like any existing lead.
            merge.leads_lock_existing(job_id=job.pk)
            job.leads_changed += merge.leads_update_existing(**policy)
            step.done("merge into leads created meanwhile")
        job.leads_existing = distinct - job.leads_new
        job.rows_repeated = job.rows_valid - distinct
        if "stage" in job.mapping:
            job.leads_moved = merge.leads_move_to_file_stage(job_id=job.pk, repeated=repeated)
            step.done("stage moves")
        if job.touch_kind:
            merge.touches_insert(job_id=job.pk, kind=job.touch_kind, campaign=job.campaign, now=now)
            step.done("touches")
        _finish(job, ImportJob.Status.DONE, _summary(job))
    step.done("commit")


class _Steps:
    """Logs how long each step of the merge took (operators size imports by it)."""

    def __init__(self, job: ImportJob) -> None:
        self.job, self.at = job, time.monotonic()

    def done(self, name: str) -> None:
        now = time.monotonic()
        logger.info("Import %s: %s in %.1f s", self.job.pk, name, now - self.at)
        self.at = now


def _good_rows(items: Iterator[tuple | BadLine], report: _Report) -> Iterator[tuple]:
    for item in items:
        if isinstance(item, BadLine):
            report.add(item)
        else:
            yield item


def _progress(job: ImportJob, *fields: str) -> None:
    job_update_fenced(job, **{name: getattr(job, name) for name in fields})


def _finish(job: ImportJob, status: str, message: str) -> None:
    """The run's last write: fenced, so a run that lost the job (a stalled worker coming
    back) rolls its merge back instead of finishing the import a second time."""
    job.bytes_read = job.size
    job_update_fenced(
        job,
        status=status,
        message=message,
        finished_at=timezone.now(),
        lease_until=None,
        report=job.report.name or "",
        # The dry run's field-level diff is part of its result.
        changes_preview=job.changes_preview,
        **{name: getattr(job, name) for name in COUNTERS},
    )


def _fail(job: ImportJob, message: str) -> None:
    for name in ("leads_new", "leads_existing", "leads_changed", "leads_moved"):
        setattr(job, name, 0)
    _finish(job, ImportJob.Status.FAILED, message)


def _summary(job: ImportJob) -> str:
    if job.dry_run:
        counts = (job.changes_preview or {}).get("counts", {})
        fields = ", ".join(f"{field} {n:,}" for field, n in sorted(counts.items()))
        unchanged = job.leads_existing - job.leads_changed
        return (
            f"Dry run: {_count(job.leads_new, 'new lead')} would be created, "
            f"{_count(job.leads_changed, 'existing lead')} changed"
            f"{f' ({fields})' if fields else ''} and {unchanged:,} left as they are; "
            f"{_count(job.rows_bad, 'bad line')}. Nothing was written."
        )
    unchanged = job.leads_existing - job.leads_changed
    text = (
        f"{_count(job.leads_new, 'lead')} created, {job.leads_changed:,} updated, "
        f"{unchanged:,} already up to date"
    )
    if job.leads_moved:
        text += f", {job.leads_moved:,} moved to the file's stage"
    if job.rows_bad:
        text += f"; {_count(job.rows_bad, 'bad line')} skipped (see the report)"
    return text + "."


def _count(number: int, noun: str) -> str:
    """Say "1 bad line" and "2 bad lines": people read these summaries."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


class _Report:
    """Bad lines, written to a CSV as they are found (opened on the first one)."""

    def __init__(self, job: ImportJob) -> None:
        self.job, self.count, self.name = job, 0, ""
        self._file = self._writer = None

    def add(self, bad: BadLine) -> None:
        if self._file is None:
            self.name = f"imports/reports/{self.job.token}-{self.job.pk}.csv"
            path = self.job.report.storage.path(self.name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            self._file = open(path, "w", newline="", encoding="utf-8")  # noqa: SIM115
            self._writer = csv.writer(self._file)
            self._writer.writerow(["line", "reason", "content"])
        # The report opens in a spreadsheet: what came from the file must stay text there.
        row = [bad.line, spreadsheet_text(bad.reason), spreadsheet_text(bad.content)]
        self._writer.writerow(row)
        self.count += 1

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


def import_job_delete(*, job: ImportJob) -> None:
    """Forget an import and its files (the leads it wrote stay)."""
    for stored in (job.file, job.report):
        if stored:
            stored.delete(save=False)
    staging.rows_delete(job_id=job.pk)
    job.delete()
