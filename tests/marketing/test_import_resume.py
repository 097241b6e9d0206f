"""Imports resume by themselves: a job whose worker died (its lease lapsed) or whose message
was lost is queued again by the sweep and finished exactly once by the next run; the page
says what is happening meanwhile."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from leads.models import Lead
from marketing.imports import services
from marketing.imports.lease import LeaseLost, job_update_fenced
from marketing.models import ImportJob, ImportRow
from tests.marketing.imports import job_from

pytestmark = pytest.mark.django_db

CSV = "Email,First name\nada@example.com,Ada\ngrace@example.com,Grace\n"


@pytest.fixture(autouse=True)
def _media(media_root):
    return media_root


def started(job: ImportJob) -> ImportJob:
    # Started in the test's transaction: the run it sends on commit is never delivered.
    return services.import_job_start(
        job=job, mapping=job.mapping, delimiter=",", dry_run=False, skip_bad_lines=False
    )


def died_while(job: ImportJob, status: str, *, lease_until) -> ImportJob:
    """The state a worker killed mid-run leaves: claimed, its lease no longer renewed,
    staging rows half-written."""
    ImportJob.objects.filter(pk=job.pk).update(status=status, attempt=1, lease_until=lease_until)
    ImportRow.objects.create(job_id=job.pk, line_no=2, email="ada@example.com")
    job.refresh_from_db()
    return job


@pytest.mark.parametrize("status", ["reading", "writing"])
def test_a_job_whose_worker_died_is_taken_over_and_finished_once(status):
    now = timezone.now()
    job = died_while(started(job_from(CSV)), status, lease_until=now - timedelta(seconds=1))

    assert services.import_jobs_resume(now=now) == [job.pk]

    job.refresh_from_db()
    assert job.status == ImportJob.Status.QUEUED
    assert "stopped" in job.message
    assert services.import_jobs_resume(now=now) == []  # Sent once, not at every sweep.

    services.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempt, job.leads_new) == (ImportJob.Status.DONE, 2, 2)
    assert job.lease_until is None
    assert Lead.objects.filter(email__in=["ada@example.com", "grace@example.com"]).count() == 2
    assert not ImportRow.objects.filter(job_id=job.pk).exists()
    assert services.import_job_run(job_id=job.pk) is None  # A late copy does nothing.


def test_a_live_lease_is_not_taken_over():
    now = timezone.now()
    job = died_while(started(job_from(CSV)), "reading", lease_until=now + timedelta(seconds=20))

    assert services.import_jobs_resume(now=now) == []
    assert services.import_job_run(job_id=job.pk) is None
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.READING


def test_a_queued_job_whose_message_was_lost_is_sent_again():
    job = started(job_from(CSV))
    later = job.lease_until + timedelta(seconds=1)

    assert services.import_jobs_resume(now=job.lease_until - timedelta(seconds=1)) == []
    assert services.import_jobs_resume(now=later) == [job.pk]
    assert ImportJob.objects.get(pk=job.pk).message == ""  # Nothing went wrong to say.


def test_a_run_that_lost_its_job_cannot_write_to_it():
    job = died_while(started(job_from(CSV)), "writing", lease_until=timezone.now())
    ImportJob.objects.filter(pk=job.pk).update(attempt=2)  # Taken over meanwhile.

    with pytest.raises(LeaseLost):
        job_update_fenced(job, status=ImportJob.Status.DONE)
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.WRITING


def test_a_running_job_is_not_restarted_by_hand():
    job = died_while(started(job_from(CSV)), "reading", lease_until=timezone.now())
    assert not services.import_job_may_start(job)


def test_the_page_says_when_the_worker_stopped(client, marketer):
    job = died_while(
        started(job_from(CSV)), "reading", lease_until=timezone.now() - timedelta(seconds=1)
    )
    client.force_login(marketer)

    html = client.get(reverse("marketing:import-progress", args=[job.pk])).content.decode()

    assert "The worker running this import stopped" in html
    fresh = died_while(
        started(job_from(CSV)), "reading", lease_until=timezone.now() + timedelta(seconds=20)
    )
    html = client.get(reverse("marketing:import-detail", args=[fresh.pk])).content.decode()
    assert "The worker running this import stopped" not in html


def test_a_job_interrupted_again_and_again_is_failed_not_resumed_forever():
    now = timezone.now()
    job = died_while(started(job_from(CSV)), "reading", lease_until=now - timedelta(seconds=1))
    ImportJob.objects.filter(pk=job.pk).update(attempt=services.MAX_ATTEMPTS)

    assert services.import_jobs_resume(now=now) == []

    job.refresh_from_db()
    assert (job.status, job.lease_until) == (ImportJob.Status.FAILED, None)
    assert f"interrupted {services.MAX_ATTEMPTS} times" in job.message


def test_the_page_says_a_queued_job_waits_for_a_worker(client, marketer):
    job = started(job_from(CSV))
    ImportJob.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    client.force_login(marketer)

    html = client.get(reverse("marketing:import-progress", args=[job.pk])).content.decode()

    assert "Waiting for a free worker" in html
    assert "The worker running this import stopped" not in html


def test_the_sweep_removes_staging_rows_a_stopped_run_left_after_the_job_finished():
    now = timezone.now()
    finished = started(job_from(CSV))
    ImportJob.objects.filter(pk=finished.pk).update(status=ImportJob.Status.DONE)
    running = started(job_from(CSV))
    ImportJob.objects.filter(pk=running.pk).update(
        status=ImportJob.Status.READING, attempt=1, lease_until=now + timedelta(minutes=1)
    )
    for job in (finished, running):
        ImportRow.objects.create(job_id=job.pk, line_no=2, email="ada@example.com")

    services.import_jobs_resume(now=now)

    assert not ImportRow.objects.filter(job_id=finished.pk).exists()
    assert ImportRow.objects.filter(job_id=running.pk).count() == 1  # Its run still needs it.
