"""Bad input to every sales write: a 4xx with a message, nothing written, never a 500."""

import pytest

from sales.models import Activity, Deal, Enrolment, Quota, Sequence
from tests.sales.factories import DealFactory, SequenceFactory

pytestmark = pytest.mark.django_db

HUGE = 10**30
NUL = "a\x00b"


def counts():
    return (
        Deal.objects.count(),
        Activity.objects.count(),
        Sequence.objects.count(),
        Enrolment.objects.count(),
        Quota.objects.count(),
    )


DEAL_BODIES = [
    {"title": "X", "amount": "-5"},
    {"title": "X", "amount": "1000000000.01"},
    {"title": "X", "amount": "1e400"},
    {"title": "X", "amount": "NaN"},
    {"title": "X", "amount": "Infinity"},
    {"title": "X", "amount": 12.345},
    {"title": "X", "amount": [1]},
    {"title": "", "amount": "1"},
    {"title": "x" * 201, "amount": "1"},
    {"title": NUL, "amount": "1"},
    {"title": "X", "amount": "1", "expected_close_on": "99999-01-01"},
    {"title": "X", "amount": "1", "promo_code": "UNKNOWN"},
    {"title": "X", "amount": "1", "owner": HUGE},
    {"title": "X", "amount": "1", "owner": "1.5"},
    {"title": "X", "amount": "1", "lead": HUGE},
    {"title": "X", "amount": "1", "lead": True},
    {"title": "X", "amount": "1", "lead": None},
]


@pytest.mark.parametrize("body", DEAL_BODIES)
def test_bad_deals_are_400s(api, manager, my_prospect, body):
    before = counts()
    response = api(manager).post("/api/v1/deals/", {"lead": my_prospect.pk, **body}, format="json")
    assert response.status_code == 400, response.content
    assert counts() == before


@pytest.mark.parametrize("body", [[], "text", 5, None, [{"title": "X"}]])
def test_bodies_that_are_not_objects_are_400s(api, manager, body):
    for url in ["/api/v1/deals/", "/api/v1/activities/", "/api/v1/sequences/", "/api/v1/quotas/"]:
        response = api(manager).post(url, body, format="json")
        assert response.status_code == 400, (url, response.content)


def test_malformed_json_is_a_400(api, manager):
    response = api(manager).post(
        "/api/v1/deals/", data='{"title": ', content_type="application/json"
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("action", "body", "status"),
    [
        ("win", {"closed_on": "2999-01-01"}, 400),
        ("win", {"closed_on": "not a date"}, 400),
        ("win", [], 400),
        ("lose", {}, 400),
        ("lose", {"reason": ""}, 400),
        ("lose", {"reason": "x" * 501}, 400),
        ("lose", {"reason": NUL}, 400),
    ],
)
def test_bad_win_or_lose_bodies(api, rep, my_prospect, action, body, status):
    deal = DealFactory(lead=my_prospect)
    response = api(rep).post(f"/api/v1/deals/{deal.pk}/{action}/", body, format="json")
    assert response.status_code == status, response.content
    assert Deal.objects.get(pk=deal.pk).status == Deal.Status.OPEN


ACTIVITY_BODIES = [
    {"kind": "fax", "subject": "X"},
    {"kind": "call", "subject": ""},
    {"kind": "call", "subject": NUL},
    {"kind": "call", "subject": "X", "body": "x" * 10_001},
    {"kind": "call", "subject": "X", "done_at": "2999-01-01T00:00:00Z"},
    {"kind": "call", "subject": "X", "due_at": "yesterday"},
    {"kind": "call", "subject": "X", "deal": HUGE},
    {"kind": ["call"], "subject": "X"},
]


@pytest.mark.parametrize("body", ACTIVITY_BODIES)
def test_bad_activities_are_400s(api, rep, my_prospect, body):
    response = api(rep).post("/api/v1/activities/", {"lead": my_prospect.pk, **body}, format="json")
    assert response.status_code == 400, response.content
    assert not Activity.objects.exists()


def test_an_activity_linked_to_another_leads_deal_is_refused(api, rep, my_prospect):
    from tests.sales.factories import prospect

    other = DealFactory(lead=prospect(owner=rep))
    response = api(rep).post(
        "/api/v1/activities/",
        {"lead": my_prospect.pk, "kind": "note", "subject": "X", "deal": other.pk},
        format="json",
    )
    assert response.status_code == 400 and "deal" in response.json()


SEQUENCE_BODIES = [
    {"name": "X", "steps": []},
    {"name": "X"},
    {"name": "", "steps": [{"day_offset": 0, "kind": "call", "subject": "A"}]},
    {"name": "X", "steps": [{"day_offset": -1, "kind": "call", "subject": "A"}]},
    {"name": "X", "steps": [{"day_offset": HUGE, "kind": "call", "subject": "A"}]},
    {"name": "X", "steps": [{"day_offset": 1.5, "kind": "call", "subject": "A"}]},
    {"name": "X", "steps": [{"day_offset": 0, "kind": "fax", "subject": "A"}]},
    {
        "name": "X",
        "steps": [
            {"day_offset": 5, "kind": "call", "subject": "A"},
            {"day_offset": 2, "kind": "call", "subject": "B"},
        ],
    },
    {"name": "X", "steps": [{"day_offset": 0, "kind": "call", "subject": "A"}] * 31},
    {"name": "X", "steps": "not a list"},
]


@pytest.mark.parametrize("body", SEQUENCE_BODIES)
def test_bad_sequences_are_400s(api, rep, body):
    response = api(rep).post("/api/v1/sequences/", body, format="json")
    assert response.status_code == 400, response.content
    assert not Sequence.objects.exists()


@pytest.mark.parametrize("leads", [[], [HUGE], ["x"], [1.5], "1", None, list(range(1, 502))])
def test_bad_enrolments_are_400s(api, rep, leads):
    sequence = SequenceFactory()
    response = api(rep).post(
        f"/api/v1/sequences/{sequence.pk}/enrol/", {"leads": leads}, format="json"
    )
    assert response.status_code == 400, response.content
    assert not Enrolment.objects.exists()


def test_enrolling_a_non_prospect_is_a_409_and_nothing_is_written(api, rep, my_prospect):
    from funnel.stages import Stage
    from tests.sales.factories import lead_in

    customer = lead_in(Stage.CUSTOMER, owner=rep)
    sequence = SequenceFactory()
    response = api(rep).post(
        f"/api/v1/sequences/{sequence.pk}/enrol/",
        {"leads": [my_prospect.pk, customer.pk]},
        format="json",
    )
    assert response.status_code == 409
    assert "Only prospects" in response.json()["detail"]
    assert not Enrolment.objects.exists()


QUOTA_BODIES = [
    ({"period": "month", "starts_on": "2026-03-01", "ends_on": "2026-02-01", "target": "1"}, 400),
    ({"period": "month", "starts_on": "2026-03-15", "target": "1"}, 400),
    ({"period": "quarter", "starts_on": "2026-02-01", "target": "1"}, 400),
    ({"period": "month", "starts_on": "2026-03-01", "ends_on": "2026-03-30", "target": "1"}, 400),
    ({"period": "week", "starts_on": "2026-03-01", "target": "1"}, 400),
    ({"period": "month", "starts_on": "2026-03-01", "target": "0"}, 400),
    ({"period": "month", "starts_on": "2026-03-01", "target": "-10"}, 400),
    ({"period": "month", "starts_on": "2026-03-01", "target": "1e40"}, 400),
    ({"period": "month", "starts_on": "2026-03-01", "target": "1", "owner": HUGE}, 400),
]


@pytest.mark.parametrize(("body", "status"), QUOTA_BODIES)
def test_bad_quotas_are_refused(api, manager, rep, body, status):
    body = {"owner": rep.pk, **body}
    response = api(manager).post("/api/v1/quotas/", body, format="json")
    assert response.status_code == status, response.content
    assert not Quota.objects.exists()


def test_a_second_quota_for_the_same_rep_and_period_is_a_409(api, manager, rep):
    body = {"owner": rep.pk, "period": "quarter", "starts_on": "2026-04-01", "target": "900"}
    client = api(manager)
    assert client.post("/api/v1/quotas/", body, format="json").status_code == 201
    again = client.post("/api/v1/quotas/", {**body, "target": "5"}, format="json")
    assert again.status_code == 409
    assert Quota.objects.get().target == 900


@pytest.mark.parametrize(
    "query",
    [
        "status=maybe",
        "owner=abc",
        f"owner={HUGE}",
        "repeat=perhaps",
        "closed_after=2026-13-01",
        "cursor=%00",
        "cursor=garbage",
        "page_size=100000000000000000000",
        "page_size=-1",
    ],
)
def test_bad_list_parameters_never_500(api, manager, query):
    response = api(manager).get(f"/api/v1/deals/?{query}")
    assert response.status_code in (200, 400, 404), response.content


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/leads/{pk}/timeline/?cursor=%00",
        "/api/v1/leads/{pk}/timeline/?cursor=eyJhIjoxfQ",
        "/api/v1/leads/{pk}/timeline/?page_size=x",
        "/api/v1/leads/99999999999999999999999/timeline/",
        "/api/v1/metrics/quotas/?period=year",
        "/api/v1/metrics/quotas/?on=1999-02-30",
        "/api/v1/activities/?due_after=never",
        "/api/v1/quotas/?on=x",
        "/api/v1/enrolments/?status=x",
    ],
)
def test_bad_read_parameters_never_500(api, manager, my_prospect, url):
    response = api(manager).get(url.format(pk=my_prospect.pk))
    assert response.status_code in (200, 400, 404), response.content
