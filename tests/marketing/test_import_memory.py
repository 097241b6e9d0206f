"""An import streams: ten times the rows does not take more memory."""

import tracemalloc

import pytest

from leads.models import Lead
from marketing.imports import services
from marketing.models import ImportJob
from tests.marketing.imports import job_from, run

pytestmark = pytest.mark.django_db


def peak_bytes_importing(rows: int, offset: int) -> int:
    content = "email,first_name,last_name,company,country\n" + "".join(
        f"user{offset + i}@example.com,First{i},Last{i},Company {i % 97},DE\n" for i in range(rows)
    )
    job = job_from(content)
    del content
    tracemalloc.start()
    try:
        job = run(job)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert job.status == ImportJob.Status.DONE, job.message
    return peak


def test_memory_stays_flat_as_the_file_grows(media_root, monkeypatch):
    monkeypatch.setattr(services, "BATCH_ROWS", 2000)
    small = peak_bytes_importing(4_000, 0)
    large = peak_bytes_importing(40_000, 100_000)
    assert Lead.objects.count() == 44_000
    # Same batch size, ten times the rows: about the same peak (and far below the file).
    assert large < small * 1.5 + 1_000_000, (small, large)
