"""The CSV import's records: the job a marketer sees, and the staging rows it reads into.

An import first streams the file into `ImportRow` (committed batch by batch, so progress is
visible and memory stays flat) without touching a lead, then merges the staged rows into
leads in one transaction. A failure at any point before the merge leaves leads untouched.
"""

from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils import timezone


def import_upload_path(job: "ImportJob", filename: str) -> str:
    # The user's file name is kept in `original_name`; on disk a safe, unique name.
    suffix = PurePath(filename).suffix.lower()[:10] if filename else ""
    return f"imports/{timezone.now():%Y/%m}/{timezone.now():%d%H%M%S}-{job.token}{suffix}"


def new_token() -> str:
    import secrets

    return secrets.token_hex(8)


class ImportJob(models.Model):
    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Waiting for column mapping"
        QUEUED = "queued", "Queued"
        READING = "reading", "Reading the file"
        WRITING = "writing", "Writing leads"
        CHECKED = "checked", "Dry run finished"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    class Encoding(models.TextChoices):
        UTF8 = "utf-8", "UTF-8"
        CP1252 = "cp1252", "Windows-1252 (Excel on Windows)"
        LATIN1 = "latin-1", "ISO-8859-1 (Latin-1)"
        UTF16 = "utf-16", "UTF-16"

    RUNNING = (Status.QUEUED, Status.READING, Status.WRITING)
    FINISHED = (Status.CHECKED, Status.DONE, Status.FAILED)

    token = models.CharField(max_length=16, default=new_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Touched by every progress write: a running job not touched for long has lost its
    # worker and may be claimed again.
    updated_at = models.DateTimeField(auto_now=True)
    file = models.FileField(upload_to=import_upload_path, max_length=300)
    original_name = models.CharField(max_length=255)
    size = models.BigIntegerField()
    encoding = models.CharField(max_length=10, choices=Encoding.choices, default=Encoding.UTF8)
    delimiter = models.CharField(max_length=1, default=",")
    # The header as read, and for each of its columns the lead field it fills ("" = ignore).
    columns = models.JSONField(default=list)
    mapping = models.JSONField(default=list)
    campaign = models.ForeignKey(
        "marketing.Campaign",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="New leads (and leads without one) get this source campaign.",
    )
    touch_kind = models.CharField(
        max_length=20, blank=True, help_text="Record a touch of this kind for every lead."
    )
    # Per lead field, how the file's values meet an existing lead's (leads.merge_policy):
    # "overwrite", "fill_empty" or "skip"; a field not named is "auto" (overwrite leads
    # that are unowned or the importer's, fill only empty fields of others' leads).
    column_modes = models.JSONField(default=dict, blank=True)
    skip_bad_lines = models.BooleanField(
        default=False, help_text="Import the good lines even if some lines are bad."
    )
    dry_run = models.BooleanField(default=False)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    message = models.TextField(blank=True)
    bytes_read = models.BigIntegerField(default=0)
    lines_read = models.BigIntegerField(default=0)
    rows_valid = models.BigIntegerField(default=0)
    rows_bad = models.BigIntegerField(default=0)
    # Emails met again further down the file: the later line wins.
    rows_repeated = models.BigIntegerField(default=0)
    leads_new = models.BigIntegerField(default=0)
    leads_existing = models.BigIntegerField(default=0)
    leads_changed = models.BigIntegerField(default=0)
    leads_moved = models.BigIntegerField(default=0)
    # A dry run's field-level diff of existing leads: {"leads_changed": n, "counts":
    # {field: n}, "leads": [{"id", "email", "changes": {field: [old, new]}}, ...]} (a sample).
    changes_preview = models.JSONField(default=dict, blank=True)
    report = models.FileField(upload_to="imports/reports/", max_length=300, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The undo (marketing.imports.undo): when, by whom, and what it did and could not do.
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undo_report = models.JSONField(default=dict, blank=True)
    # While queued or running, the job belongs to whoever renews this: the running worker's
    # heartbeat, or (queued) the message sent to start it. Once it lapses, the resume sweep
    # queues the job again and the next run takes it over (marketing/imports/lease.py).
    lease_until = models.DateTimeField(null=True, blank=True)
    # Bumped by each run's claim; every write a run makes names it, so a run that lost its
    # lease can no longer change the job (fencing).
    attempt = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The resume sweep: running jobs by lease.
            models.Index(
                fields=["lease_until"],
                name="import_job_lease_idx",
                condition=models.Q(status__in=["queued", "reading", "writing"]),
            ),
        ]

    def __str__(self) -> str:
        return f"Import {self.pk}: {self.original_name}"

    @property
    def undo_until(self):
        """Until when the import can be undone (marketing.imports.undo), if it wrote leads."""
        from marketing.imports.undo import UNDO_DAYS

        if self.dry_run or self.status != self.Status.DONE or self.finished_at is None:
            return None
        return self.finished_at + timedelta(days=UNDO_DAYS)

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def percent(self) -> int:
        if self.status in (self.Status.WRITING, *self.FINISHED):
            return 100
        if not self.size:
            return 0
        return min(99, int(100 * self.bytes_read / self.size))


class ImportRow(models.Model):
    """A validated line of an import file, waiting to be merged. Deleted after the job.

    No foreign key and no index but the primary key and a partial one on the lines with a
    Stage: rows are appended by the million (COPY on PostgreSQL), and every read is by job.
    """

    pk = models.CompositePrimaryKey("job_id", "line_no")
    job_id = models.BigIntegerField()
    line_no = models.BigIntegerField()
    email = models.CharField(max_length=254)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    company = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    country = models.CharField(max_length=100, blank=True)
    industry = models.CharField(max_length=100, blank=True)
    company_size = models.CharField(max_length=20, blank=True)
    # Null: the file says nothing, so an existing lead keeps what it has.
    marketing_consent = models.BooleanField(null=True)
    stage = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(null=True)

    class Meta:
        db_table = "marketing_import_row"
        indexes = [
            # The few lines with a Stage, read once per batch of stage moves.
            models.Index(
                fields=["job_id", "line_no"],
                condition=~models.Q(stage=""),
                name="import_row_stage_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Import {self.job_id}, line {self.line_no}: {self.email}"
