"""The outbox: a row per intent, written in the cause's transaction, run once, retried
with backoff, re-published by the drain sweep only when due."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from leads.models import Lead
from outbox.models import OutboxTask
from outbox.services import REPUBLISH_AFTER, outbox_add, outbox_drain, outbox_task_run

pytestmark = pytest.mark.django_db

CREATE = "tests.outbox.tasks_for_tests.lead_create"
FAILS = "tests.outbox.tasks_for_tests.always_fails"


def test_a_rolled_back_cause_leaves_no_intent(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        outbox_add(task=CREATE, kwargs={"email": "ada@example.com"})
        raise RuntimeError("the cause failed")
    assert not OutboxTask.objects.exists()
    assert callbacks == []


def test_the_publish_on_commit_runs_the_row_once_and_deletes_it(
    eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        row = outbox_add(task=CREATE, kwargs={"email": "ada@example.com"})

    assert Lead.objects.filter(email="ada@example.com").count() == 1
    assert not OutboxTask.objects.exists()
    assert outbox_task_run(row_id=row.pk) is False  # A second delivery does nothing.


def test_a_row_held_by_a_live_worker_is_not_run_again():
    row = outbox_add(task=CREATE, kwargs={"email": "ada@example.com"})
    OutboxTask.objects.filter(pk=row.pk).update(claimed_until=timezone.now() + timedelta(minutes=5))
    assert outbox_task_run(row_id=row.pk) is False
    assert not Lead.objects.exists()


def test_a_failure_is_recorded_and_retried_later():
    now = timezone.now()
    row = outbox_add(task=FAILS, now=now)

    with pytest.raises(RuntimeError):
        outbox_task_run(row_id=row.pk, now=now)

    row.refresh_from_db()
    assert (row.attempts, row.claimed_until) == (1, None)
    assert "receiver exploded" in row.last_error
    assert row.due_at > now


def test_the_drain_publishes_due_rows_once_per_republish_interval(eager_tasks):
    now = timezone.now()
    lost = outbox_add(task=CREATE, kwargs={"email": "lost@example.com"}, now=now)
    outbox_add(task=CREATE, kwargs={"email": "fresh@example.com"}, now=now)
    # The first row's message was lost (a broker outage): it came due.
    OutboxTask.objects.filter(pk=lost.pk).update(due_at=now - timedelta(seconds=1))

    assert outbox_drain(now=now) == 1

    assert list(Lead.objects.values_list("email", flat=True)) == ["lost@example.com"]
    assert OutboxTask.objects.count() == 1
    assert outbox_drain(now=now) == 0
    assert outbox_drain(now=now + REPUBLISH_AFTER + timedelta(seconds=1)) == 1
    assert not OutboxTask.objects.exists()
