"""Every sales page and action by every role: status codes, and no foreign row on a page."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD
from tests.sales.world import build_world

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "marketer", "rep_a", "rep_b", "manager"]


@pytest.fixture
def world(db):
    return build_world()


def browser(client, user):
    if user is not None:
        client.force_login(user)
    return client


PAGES = {
    "sales:my_work": {
        "anonymous": 302,
        "marketer": 403,
        "rep_a": 200,
        "rep_b": 200,
        "manager": 200,
    },
    "sales:board": {"anonymous": 302, "marketer": 403, "rep_a": 200, "rep_b": 200, "manager": 200},
    "sales:quotas": {"anonymous": 302, "marketer": 403, "rep_a": 403, "rep_b": 403, "manager": 200},
    "sales:teams": {"anonymous": 302, "marketer": 403, "rep_a": 403, "rep_b": 403, "manager": 200},
    "sales:sequence_list": {
        "anonymous": 302,
        "marketer": 403,
        "rep_a": 200,
        "rep_b": 200,
        "manager": 200,
    },
    "sales:sequence_new": {
        "anonymous": 302,
        "marketer": 403,
        "rep_a": 200,
        "rep_b": 200,
        "manager": 200,
    },
}


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_pages_answer_each_role(client, world, name, role):
    response = browser(client, world.users()[role]).get(reverse(name))
    assert response.status_code == PAGES[name][role]
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["rep_a", "rep_b"])
def test_a_reps_pages_show_only_their_own_records(client, world, role):
    me, them = (world.a, world.b) if role == "rep_a" else (world.b, world.a)
    browser(client, me.rep)
    for name in ["sales:my_work", "sales:board"]:
        html = client.get(reverse(name)).content.decode()
        assert me.lead.email in html or me.lead.full_name in html
        for foreign in [them.lead.email, them.lead.full_name, them.deal.title, them.task.subject]:
            assert foreign not in html, (name, foreign)


def test_the_lead_page_shows_the_sales_panel_and_full_timeline_to_the_owner(client, world):
    html = browser(client, world.a.rep).get(reverse("leads:detail", args=[world.a.lead.pk]))
    text = html.content.decode()
    assert html.status_code == 200
    for expected in [world.a.deal.title, world.a.activity.subject, "Log activity", "New deal"]:
        assert expected in text


def test_marketing_sees_the_lead_page_without_sales_work(client, world):
    response = browser(client, world.marketer).get(reverse("leads:detail", args=[world.a.lead.pk]))
    text = response.content.decode()
    assert response.status_code == 200
    for hidden in [world.a.deal.title, world.a.activity.subject, "Log activity"]:
        assert hidden not in text


def test_another_reps_lead_page_is_a_404(client, world):
    response = browser(client, world.b.rep).get(reverse("leads:detail", args=[world.a.lead.pk]))
    assert response.status_code == 404


ACTIONS = [
    # (url name, kwargs key, body, expected by role)
    ("sales:deal_win", "deal", {}, {"rep_a": 302, "rep_b": 404, "manager": 302}),
    ("sales:deal_lose", "deal", {"reason": "Budget"}, {"rep_a": 302, "rep_b": 404, "manager": 302}),
    (
        "sales:deal_create",
        "lead",
        {"title": "More", "amount": "10"},
        {"rep_a": 302, "rep_b": 404, "manager": 302},
    ),
    (
        "sales:lead_move",
        "lead",
        {"to_stage": "lost"},
        {"rep_a": 302, "rep_b": 404, "manager": 302},
    ),
    (
        "sales:activity_log",
        "lead",
        {"kind": "note", "subject": "Hi"},
        {"rep_a": 302, "rep_b": 404, "manager": 302},
    ),
    ("sales:task_complete", "task", {}, {"rep_a": 302, "rep_b": 404, "manager": 302}),
    ("sales:lead_claim", "pool", {}, {"rep_a": 302, "rep_b": 302, "manager": 403}),
    ("sales:lead_claim", "lead", {}, {"rep_a": 302, "rep_b": 404, "manager": 403}),
    ("sales:lead_reassign", "lead", {"owner": ""}, {"rep_a": 403, "rep_b": 403, "manager": 302}),
]


@pytest.mark.parametrize(("name", "key", "body", "by_role"), ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_actions_answer_each_role(client, world, name, key, body, by_role, role):
    ids = {
        "deal": world.a.deal.pk,
        "lead": world.a.lead.pk,
        "task": world.a.task.pk,
        "pool": world.pool_lead.pk,
    }
    arg = "pk" if key in ("deal", "task") else "lead_pk"
    url = reverse(name, kwargs={arg: ids[key]})
    response = browser(client, world.users()[role]).post(url, body)
    expected = {"anonymous": 302, "marketer": 403, **by_role}[role]
    assert response.status_code == expected, response.content[:300]
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))


def test_quota_set_is_for_managers(client, world):
    body = {"owner": world.a.rep.pk, "period": "month", "starts_on": "2026-01-01", "target": "5"}
    for role, expected in [("rep_a", 403), ("marketer", 403), ("manager", 302)]:
        client.logout()
        response = browser(client, world.users()[role]).post(reverse("sales:quota_set"), body)
        assert response.status_code == expected


def test_login_uses_the_factory_password(client, world):
    assert client.login(username=world.a.rep.username, password=PASSWORD)
