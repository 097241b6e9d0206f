"""Helpers for the CSV import tests: a job from bytes, run the way the worker runs it."""

from django.core.files.uploadedfile import SimpleUploadedFile

from marketing.imports import services
from marketing.models import ImportJob


def job_from(content: bytes | str, *, encoding: str = "utf-8", name: str = "leads.csv", user=None):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return services.import_job_create(
        upload=SimpleUploadedFile(name, data, content_type="text/csv"),
        encoding=encoding,
        actor=user,
    )


def run(
    job: ImportJob, *, dry_run=False, skip_bad_lines=False, mapping=None, **options
) -> ImportJob:
    services.import_job_start(
        job=job,
        mapping=mapping if mapping is not None else job.mapping,
        delimiter=options.pop("delimiter", job.delimiter),
        dry_run=dry_run,
        skip_bad_lines=skip_bad_lines,
        **options,
    )
    services.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def report_lines(job: ImportJob) -> list[list[str]]:
    import csv

    with job.report.open("r") as report:
        return list(csv.reader(report))[1:]
