import pytest

from sales.models import Activity, Enrolment, Sequence
from tests.sales.factories import SequenceFactory, prospect

pytestmark = pytest.mark.django_db

STEPS = [
    {"day_offset": 0, "kind": "email", "subject": "Hello"},
    {"day_offset": 3, "kind": "call", "subject": "Follow up"},
]


@pytest.fixture
def eager_tasks():
    """Tasks queued on commit run here, in process, instead of on a worker."""
    from config.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_a_rep_creates_a_sequence_and_enrols_prospects(
    api, rep, django_capture_on_commit_callbacks, eager_tasks
):
    client = api(rep)
    created = client.post("/api/v1/sequences/", {"name": "Warm up", "steps": STEPS}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert [(s["position"], s["day_offset"], s["kind"]) for s in body["steps"]] == [
        (1, 0, "email"),
        (2, 3, "call"),
    ]
    leads = [prospect(owner=rep) for _ in range(2)]

    with django_capture_on_commit_callbacks(execute=True):
        enrolled = client.post(
            f"/api/v1/sequences/{body['id']}/enrol/",
            {"leads": [lead.pk for lead in leads]},
            format="json",
        )

    assert enrolled.status_code == 201
    assert len(enrolled.json()["enrolled"]) == 2 and enrolled.json()["already_enrolled"] == []
    # The day-0 step became a task for each, right after the commit.
    assert Activity.objects.filter(step__position=1).count() == 2


def test_enrolling_again_reports_who_already_runs_it(api, rep, my_prospect):
    sequence = SequenceFactory()
    client = api(rep)
    client.post(
        f"/api/v1/sequences/{sequence.pk}/enrol/", {"leads": [my_prospect.pk]}, format="json"
    )
    again = client.post(
        f"/api/v1/sequences/{sequence.pk}/enrol/", {"leads": [my_prospect.pk]}, format="json"
    )
    assert again.status_code == 201
    assert again.json() == {"enrolled": [], "already_enrolled": [my_prospect.pk]}


def test_stopping_an_enrolment(api, rep, my_prospect):
    sequence = SequenceFactory()
    api(rep).post(
        f"/api/v1/sequences/{sequence.pk}/enrol/", {"leads": [my_prospect.pk]}, format="json"
    )
    enrolment = Enrolment.objects.get()

    response = api(rep).post(
        f"/api/v1/enrolments/{enrolment.pk}/stop/", {"reason": "Asked for a pause"}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["stop_reason"]) == (
        "stopped",
        "Asked for a pause",
    )


def test_a_used_sequence_keeps_its_steps_and_cannot_be_deleted(api, rep, my_prospect):
    sequence = SequenceFactory(owner=rep)
    client = api(rep)
    client.post(
        f"/api/v1/sequences/{sequence.pk}/enrol/", {"leads": [my_prospect.pk]}, format="json"
    )

    changed = client.patch(f"/api/v1/sequences/{sequence.pk}/", {"steps": STEPS}, format="json")
    deleted = client.delete(f"/api/v1/sequences/{sequence.pk}/")
    renamed = client.patch(f"/api/v1/sequences/{sequence.pk}/", {"name": "Renamed"}, format="json")

    assert (changed.status_code, deleted.status_code, renamed.status_code) == (409, 409, 200)
    assert Sequence.objects.get(pk=sequence.pk).steps.count() == 3
    assert renamed.json()["name"] == "Renamed"
