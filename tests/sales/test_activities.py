from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from leads.models import Lead
from sales import services
from sales.models import Activity

pytestmark = pytest.mark.django_db


def last_activity(lead):
    return Lead.objects.get(pk=lead.pk).last_activity_at


def test_a_logged_call_is_done_now_and_marks_the_lead_worked(rep, my_prospect):
    call = services.activity_create(
        lead=my_prospect, kind="call", subject="Discovery", created_by=rep
    )
    assert call.done_at is not None and call.owner == rep
    assert last_activity(my_prospect) == call.done_at


def test_a_planned_task_is_open_and_does_not_count_as_activity(rep, my_prospect):
    due = timezone.now() + timedelta(days=2)
    task = services.activity_create(
        lead=my_prospect, kind="task", subject="Send quote", created_by=rep, due_at=due
    )
    assert task.done_at is None and task.due_at == due
    assert last_activity(my_prospect) is None

    done = services.activity_complete(activity_id=task.pk, actor=rep)
    assert done.done_at is not None
    assert last_activity(my_prospect) == done.done_at
    # Completing twice changes nothing.
    again = services.activity_complete(activity_id=task.pk, actor=rep)
    assert again.done_at == done.done_at


def test_activity_done_in_the_future_is_refused(rep, my_prospect):
    with pytest.raises(ValidationError):
        services.activity_create(
            lead=my_prospect,
            kind="meeting",
            subject="X",
            created_by=rep,
            done_at=timezone.now() + timedelta(days=1),
        )
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [{"kind": "fax"}, {"subject": ""}, {"subject": "x" * 201}, {"body": "a\x00b"}],
)
def test_bad_fields_are_refused(rep, my_prospect, changes):
    fields = {"kind": "note", "subject": "Ok", **changes}
    with pytest.raises(ValidationError):
        services.activity_create(lead=my_prospect, created_by=rep, **fields)
    assert not Activity.objects.exists()


def test_deleting_or_reopening_recomputes_the_last_activity(rep, my_prospect):
    early = services.activity_create(
        lead=my_prospect,
        kind="note",
        subject="Early",
        created_by=rep,
        done_at=timezone.now() - timedelta(days=3),
    )
    late = services.activity_create(lead=my_prospect, kind="call", subject="Late", created_by=rep)
    assert last_activity(my_prospect) == late.done_at

    services.activity_delete(activity_id=late.pk, actor=rep)
    assert last_activity(my_prospect) == early.done_at

    services.activity_update(activity_id=early.pk, actor=rep, done_at=None)
    assert last_activity(my_prospect) is None
