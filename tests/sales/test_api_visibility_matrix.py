"""Every sales endpoint by every role: the status code, and that no list leaks a row the
role may not see (ownership is in the querysets, so lists are checked row by row)."""

import pytest
from django.urls import reverse

from tests.sales.world import build_world

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "marketer", "rep_a", "rep_b", "manager"]


@pytest.fixture
def world(db):
    return build_world()


def get_ids(client, url):
    response = client.get(url)
    return response.status_code, (
        {row["id"] for row in response.json()["results"]} if response.status_code == 200 else None
    )


def expected_rows(world, resource: str, role: str):
    a, b = world.a, world.b
    every = {
        "deals": {a.deal.pk, b.deal.pk},
        "activities": {a.activity.pk, a.task.pk, b.activity.pk, b.task.pk},
        "sequences": {
            a.sequence.pk,
            b.sequence.pk,
            a.enrolment.sequence_id,
            b.enrolment.sequence_id,
        },
        "enrolments": {a.enrolment.pk, b.enrolment.pk},
        "quotas": {a.quota.pk, b.quota.pk, world.team_quota.pk},
    }[resource]
    if role == "manager":
        return every
    mine = {"rep_a": a, "rep_b": b}[role]
    return {
        "deals": {mine.deal.pk},
        "activities": {mine.activity.pk, mine.task.pk},
        "sequences": every,
        "enrolments": {mine.enrolment.pk},
        "quotas": {mine.quota.pk, world.team_quota.pk},
    }[resource]


@pytest.mark.parametrize("resource", ["deals", "activities", "sequences", "enrolments", "quotas"])
@pytest.mark.parametrize("role", ROLES)
def test_lists_show_exactly_what_the_role_may_see(world, api, resource, role):
    status, ids = get_ids(api(world.users()[role]), f"/api/v1/{resource}/")

    expected_status = {"anonymous": 401, "marketer": 403}.get(role, 200)
    assert status == expected_status
    if status == 200:
        assert ids == expected_rows(world, resource, role)


def records_of(side):
    return {
        "deals": side.deal.pk,
        "activities": side.activity.pk,
        "enrolments": side.enrolment.pk,
        "quotas": side.quota.pk,
    }


@pytest.mark.parametrize("resource", ["deals", "activities", "enrolments", "quotas"])
@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 401), ("marketer", 403), ("rep_a", 200), ("rep_b", 404), ("manager", 200)],
)
def test_a_reps_record_is_a_404_to_the_other_rep(world, api, resource, role, expected):
    pk = records_of(world.a)[resource]
    response = api(world.users()[role]).get(f"/api/v1/{resource}/{pk}/")
    assert response.status_code == expected
    if expected == 404:
        assert str(pk) not in response.content.decode().replace(f"/{pk}/", "")


ACTIONS = [
    # (method, url template, body, expected by role)
    ("post", "/api/v1/deals/{deal}/win/", {}, {"rep_a": 200, "rep_b": 404, "manager": 200}),
    (
        "post",
        "/api/v1/deals/{deal}/lose/",
        {"reason": "Budget"},
        {"rep_a": 200, "rep_b": 404, "manager": 200},
    ),
    (
        "patch",
        "/api/v1/deals/{deal}/",
        {"title": "New"},
        {"rep_a": 200, "rep_b": 404, "manager": 200},
    ),
    ("delete", "/api/v1/deals/{deal}/", None, {"rep_a": 204, "rep_b": 404, "manager": 204}),
    (
        "patch",
        "/api/v1/activities/{activity}/",
        {"subject": "New"},
        {"rep_a": 200, "rep_b": 404, "manager": 200},
    ),
    (
        "post",
        "/api/v1/activities/{task}/complete/",
        None,
        {"rep_a": 200, "rep_b": 404, "manager": 200},
    ),
    (
        "delete",
        "/api/v1/activities/{activity}/",
        None,
        {"rep_a": 204, "rep_b": 404, "manager": 204},
    ),
    (
        "post",
        "/api/v1/enrolments/{enrolment}/stop/",
        {},
        {"rep_a": 200, "rep_b": 404, "manager": 200},
    ),
    (
        "patch",
        "/api/v1/sequences/{sequence}/",
        {"name": "Renamed"},
        {"rep_a": 200, "rep_b": 403, "manager": 200},
    ),
    (
        "patch",
        "/api/v1/quotas/{quota}/",
        {"target": "123.00"},
        {"rep_a": 403, "rep_b": 403, "manager": 200},
    ),
    ("delete", "/api/v1/quotas/{quota}/", None, {"rep_a": 403, "rep_b": 403, "manager": 204}),
    (
        "post",
        "/api/v1/leads/{lead}/owner/",
        {"owner": None},
        {"rep_a": 403, "rep_b": 404, "manager": 200},
    ),
    ("post", "/api/v1/leads/{lead}/claim/", None, {"rep_a": 200, "rep_b": 404, "manager": 403}),
    ("post", "/api/v1/leads/{pool}/claim/", None, {"rep_a": 200, "rep_b": 200, "manager": 403}),
    (
        "post",
        "/api/v1/sequences/{sequence}/enrol/",
        {"leads": ["{lead}"]},
        {"rep_a": 201, "rep_b": 400, "manager": 201},
    ),
]


def fill(value, ids):
    if isinstance(value, str):
        return int(value.format(**ids)) if value.startswith("{") else value
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize(("method", "url", "body", "by_role"), ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_every_write_answers_each_role_as_the_rules_say(
    world, api, method, url, body, by_role, role
):
    from sales.models import Sequence

    a = world.a
    ids = {
        "deal": a.deal.pk,
        "activity": a.activity.pk,
        "task": a.task.pk,
        "enrolment": a.enrolment.pk,
        "sequence": a.sequence.pk,
        "quota": a.quota.pk,
        "lead": a.lead.pk,
        "pool": world.pool_lead.pk,
    }
    if "enrol" in url:
        # A fresh sequence, so the enrolment is new (the world already enrolled `lead`).
        ids["sequence"] = Sequence.objects.create(name="Fresh", owner=a.rep).pk
        from sales.models import SequenceStep

        SequenceStep.objects.create(
            sequence_id=ids["sequence"], position=1, day_offset=3, kind="call", subject="Hi"
        )
    client = api(world.users()[role])
    response = getattr(client, method)(url.format(**ids), fill(body, ids), format="json")

    expected = {"anonymous": 401, "marketer": 403, **by_role}[role]
    assert response.status_code == expected, response.content


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 401), ("marketer", 200), ("rep_a", 200), ("rep_b", 404), ("manager", 200)],
)
def test_timeline_follows_lead_visibility_and_hides_sales_work_from_marketing(
    world, api, role, expected
):
    response = api(world.users()[role]).get(f"/api/v1/leads/{world.a.lead.pk}/timeline/")

    assert response.status_code == expected
    if expected == 200:
        kinds = {entry["kind"] for entry in response.json()["results"]}
        assert "stage_change" in kinds
        sales_kinds = {"activity", "deal_opened"}
        if role == "marketer":
            assert not kinds & sales_kinds
        else:
            assert sales_kinds <= kinds


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 401), ("marketer", 403), ("rep_a", 200), ("rep_b", 200), ("manager", 200)],
)
def test_quota_metrics_show_a_rep_only_their_own_row(world, api, role, expected):
    response = api(world.users()[role]).get("/api/v1/metrics/quotas/")

    assert response.status_code == expected
    if expected == 200:
        reps = {row["rep"] for row in response.json()["reps"]}
        if role == "manager":
            assert reps == {world.a.rep.pk, world.b.rep.pk}
        else:
            assert reps == {world.users()[role].pk}


def test_creating_on_another_reps_lead_does_not_reveal_it(world, api):
    client = api(world.b.rep)
    for url, body in [
        ("/api/v1/deals/", {"lead": world.a.lead.pk, "title": "Steal", "amount": "1.00"}),
        ("/api/v1/activities/", {"lead": world.a.lead.pk, "kind": "note", "subject": "Peek"}),
    ]:
        response = client.post(url, body, format="json")
        assert response.status_code == 400
        assert "lead" in response.json()
        assert world.a.lead.email not in response.content.decode()


def test_api_routes_resolve_by_name():
    assert reverse("lead-timeline", kwargs={"pk": 1}) == "/api/v1/leads/1/timeline/"
