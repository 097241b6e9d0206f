from datetime import timedelta

import pytest
from django.utils import timezone

from leads.models import Lead
from sales.models import Activity
from tests.sales.factories import TaskFactory

pytestmark = pytest.mark.django_db


def test_log_a_call_and_plan_a_task(api, rep, my_prospect):
    client = api(rep)
    call = client.post(
        "/api/v1/activities/",
        {"lead": my_prospect.pk, "kind": "call", "subject": "Discovery", "body": "Keen."},
        format="json",
    )
    due = (timezone.now() + timedelta(days=2)).isoformat()
    task = client.post(
        "/api/v1/activities/",
        {"lead": my_prospect.pk, "kind": "task", "subject": "Send quote", "due_at": due},
        format="json",
    )

    assert call.status_code == task.status_code == 201
    assert call.json()["done_at"] and call.json()["owner"] == rep.pk
    assert task.json()["done_at"] is None and not task.json()["is_overdue"]
    assert Lead.objects.get(pk=my_prospect.pk).last_activity_at is not None


def test_complete_and_reopen_a_task(api, rep, my_prospect):
    task = TaskFactory(lead=my_prospect)
    client = api(rep)

    done = client.post(f"/api/v1/activities/{task.pk}/complete/")
    reopened = client.patch(f"/api/v1/activities/{task.pk}/", {"done_at": None}, format="json")

    assert done.status_code == 200 and done.json()["done_at"]
    assert reopened.status_code == 200 and reopened.json()["done_at"] is None


def test_filters_for_open_overdue_tasks(api, rep, my_prospect):
    late = TaskFactory(lead=my_prospect, due_at=timezone.now() - timedelta(hours=2))
    TaskFactory(lead=my_prospect, due_at=timezone.now() + timedelta(hours=2))
    Activity.objects.create(
        lead=my_prospect, kind="note", subject="Done", owner=rep, done_at=timezone.now()
    )

    overdue = api(rep).get("/api/v1/activities/?overdue=true").json()["results"]
    still_open = api(rep).get("/api/v1/activities/?done=false&kind=task").json()["results"]

    assert [row["id"] for row in overdue] == [late.pk]
    assert len(still_open) == 2


def test_a_rep_cannot_give_an_activity_to_someone_else(api, rep, other_rep, my_prospect):
    response = api(rep).post(
        "/api/v1/activities/",
        {"lead": my_prospect.pk, "kind": "task", "subject": "X", "owner": other_rep.pk},
        format="json",
    )
    assert response.status_code == 400 and "owner" in response.json()
