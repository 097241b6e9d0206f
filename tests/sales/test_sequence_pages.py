"""The sequence pages: who may read and change a cadence (as the API's rules), the whole
form saved through the services, and bad input refused with field errors, nothing written."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mail.models import StepEmail
from sales.models import Sequence, SequenceStep
from tests.sales.factories import EnrolmentFactory, SequenceFactory
from tests.sales.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_world()


def form(name="Welcome cadence", steps=(), **extra) -> dict:
    data = {"name": name, "description": "", "is_active": "on", "step": [], **extra}
    for i, (kind, day, subject, email_subject, email_body) in enumerate(steps):
        data["step"].append(str(i))
        data.update(
            {
                f"step-{i}-kind": kind,
                f"step-{i}-day_offset": str(day),
                f"step-{i}-subject": subject,
                f"step-{i}-email_subject": email_subject,
                f"step-{i}-email_body": email_body,
            }
        )
    return data


GOOD_STEPS = [
    ("email", 0, "Intro email", "Hello {{ first_name }}", "Hi {{ first_name|there }},\nA note."),
    ("call", 2, "Follow-up call", "", ""),
]

EDIT = {"anonymous": 302, "marketer": 403, "rep_a": 200, "rep_b": 403, "manager": 200}
READ = {"anonymous": 302, "marketer": 403, "rep_a": 200, "rep_b": 200, "manager": 200}


@pytest.mark.parametrize("role", list(EDIT))
def test_each_role_reads_and_changes_rep_as_cadence_as_the_api_allows(client, world, role):
    user = world.users()[role]
    if user is not None:
        client.force_login(user)
    sequence = world.a.sequence  # authored by rep A
    url = reverse("sales:sequence_edit", args=[sequence.pk])
    assert client.get(url).status_code == READ[role]
    response = client.post(url, form(name="Renamed", steps=GOOD_STEPS))
    expected = EDIT[role]
    if expected == 200:
        assert response.status_code == 302
        assert Sequence.objects.get(pk=sequence.pk).name == "Renamed"
    else:
        assert response.status_code == expected
        assert Sequence.objects.get(pk=sequence.pk).name == sequence.name


def test_a_missing_sequence_is_a_404(client, world):
    client.force_login(world.a.rep)
    assert client.get(reverse("sales:sequence_edit", args=[999999])).status_code == 404


def test_a_rep_creates_a_sequence_with_an_email_step(client, world):
    client.force_login(world.b.rep)
    response = client.post(reverse("sales:sequence_new"), form(steps=GOOD_STEPS))
    assert response.status_code == 302
    sequence = Sequence.objects.get(name="Welcome cadence")
    assert sequence.owner == world.b.rep and sequence.is_active
    steps = list(sequence.steps.order_by("position"))
    assert [(s.kind, s.day_offset, s.subject) for s in steps] == [
        ("email", 0, "Intro email"),
        ("call", 2, "Follow-up call"),
    ]
    email = StepEmail.objects.get(step=steps[0])
    assert email.subject == "Hello {{ first_name }}"
    assert not StepEmail.objects.filter(step=steps[1]).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Hello {{ first_name }}" in page


def test_an_unknown_merge_field_is_a_field_error_and_nothing_is_written(client, world):
    client.force_login(world.a.rep)
    before = (Sequence.objects.count(), SequenceStep.objects.count(), StepEmail.objects.count())
    steps = [("email", 0, "Intro", "Hi {{ nickname }}", "Body")]
    response = client.post(reverse("sales:sequence_new"), form(steps=steps))
    assert response.status_code == 400
    assert "Unknown merge field {{ nickname }}" in response.content.decode()
    assert 'id="step-0-email-subject-error"' in response.content.decode()
    after = (Sequence.objects.count(), SequenceStep.objects.count(), StepEmail.objects.count())
    assert after == before


@pytest.mark.parametrize(
    "data, message",
    [
        (form(name="", steps=GOOD_STEPS), "A name is required"),
        (form(steps=[]), "at least one step"),
        (form(steps=[("call", "soon", "Call", "", "")]), "whole number of days"),
        (form(steps=[("call", 4, "Call", "", ""), ("task", 1, "T", "", "")]), "cannot go back"),
        (form(steps=[("fax", 0, "Fax", "", "")]), "kind must be one of"),
        (form(steps=[("email", 0, "Mail", "Subject only", "")]), "plain-text part is required"),
    ],
)
def test_bad_input_is_a_400_with_the_error_and_nothing_written(client, world, data, message):
    client.force_login(world.manager)
    sequence = world.a.sequence
    steps_before = list(sequence.steps.values_list("pk", "subject"))
    for url in [reverse("sales:sequence_new"), reverse("sales:sequence_edit", args=[sequence.pk])]:
        count = Sequence.objects.count()
        response = client.post(url, data)
        assert response.status_code == 400, url
        assert message in response.content.decode()
        assert Sequence.objects.count() == count
    sequence.refresh_from_db()
    assert list(sequence.steps.values_list("pk", "subject")) == steps_before


def test_steps_of_a_sequence_in_use_are_fixed_but_it_can_be_deactivated(client, world):
    client.force_login(world.manager)
    sequence = world.a.enrolment.sequence
    steps_before = list(sequence.steps.values_list("pk", "subject"))
    url = reverse("sales:sequence_edit", args=[sequence.pk])
    assert "the steps are fixed" in client.get(url).content.decode()
    response = client.post(url, {"name": "Paused", "description": "", "step": []})
    assert response.status_code == 302
    sequence.refresh_from_db()
    assert (sequence.name, sequence.is_active) == ("Paused", False)
    assert list(sequence.steps.values_list("pk", "subject")) == steps_before


def test_add_remove_and_move_re_render_the_steps_without_saving(client, world):
    client.force_login(world.a.rep)
    url = reverse("sales:sequence_new")
    steps = [("call", 0, "First", "", ""), ("task", 3, "Second", "", "")]
    moved = client.post(url, form(steps=steps, edit="down-0"), HTTP_HX_REQUEST="true")
    html = moved.content.decode()
    assert moved.status_code == 200 and html.index("Second") < html.index("First")
    removed = client.post(url, form(steps=steps, edit="remove-0")).content.decode()
    assert "Second" in removed and 'value="First"' not in removed
    added = client.post(url, form(steps=steps, edit="add")).content.decode()
    assert 'id="step-2-kind"' in added
    assert not Sequence.objects.filter(name="Welcome cadence").exists()


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context)


def test_the_list_and_edit_pages_cost_fixed_queries(client, world):
    client.force_login(world.manager)
    sequence = SequenceFactory(owner=world.a.rep)
    list_url = reverse("sales:sequence_list")
    edit_url = reverse("sales:sequence_edit", args=[sequence.pk])
    small = (queries(client, list_url), queries(client, edit_url))
    for _ in range(5):
        SequenceFactory(owner=world.b.rep)
        EnrolmentFactory(sequence=sequence)
    for step in sequence.steps.filter(kind="email"):
        StepEmail.objects.create(step=step, subject="Hi", body_text="Hello")
    assert (queries(client, list_url), queries(client, edit_url)) == small


def test_an_email_step_starts_from_a_sales_template(client, world):
    from mail.models import EmailTemplate

    sales = EmailTemplate.objects.create(
        name="Warm intro", kind="sales", subject="Hi {{ first_name }}", body_text="From me"
    )
    EmailTemplate.objects.create(
        name="Newsletter", kind="marketing", subject="News", body_text="All the news"
    )
    client.force_login(world.a.rep)
    url = reverse("sales:sequence_new")
    page = client.get(url).content.decode()
    assert "Warm intro" in page and "Newsletter" not in page
    data = form(steps=[("email", 0, "Intro", "", "")], edit="template-0")
    data["step-0-template"] = str(sales.pk)
    filled = client.post(url, data).content.decode()
    assert 'value="Hi {{ first_name }}"' in filled and "From me</textarea>" in filled
    assert not Sequence.objects.filter(name="Welcome cadence").exists()
