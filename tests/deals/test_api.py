"""The pipeline's API: stages, moves (bad input 4xx, nothing written), history, forecast,
metrics; constant queries; in the OpenAPI document."""

from datetime import date
from decimal import Decimal

import pytest

from funnel.stages import Cause
from sales.models import Deal, DealStageChange
from sales.pipeline.services import deal_move
from tests.sales.factories import DealFactory, QuotaFactory, prospect

pytestmark = pytest.mark.django_db


def _deal(owner, amount="100.00", stage=None, **fields):
    deal = DealFactory(lead=prospect(owner=owner), owner=owner, amount=Decimal(amount), **fields)
    if stage:
        deal_move(deal_id=deal.pk, to_stage=stage, actor=owner, cause=Cause.MANUAL)
    return deal


def _move(client, deal, body):
    return client.post(f"/api/v1/deals/{deal.pk}/move/", body, format="json")


def test_stages_in_order(api, rep):
    body = api(rep).get("/api/v1/deal-stages/").json()
    assert [(s["name"], s["probability"]) for s in body] == [
        ("Qualification", 10),
        ("Demo", 25),
        ("Proposal", 50),
        ("Negotiation", 80),
        ("Won", 100),
        ("Lost", 0),
    ]


def test_move_by_name_answers_the_deal_with_its_stage(api, rep):
    deal = _deal(rep)
    response = _move(api(rep), deal, {"to_stage": "proposal"})
    assert response.status_code == 200, response.json()
    assert response.json()["stage_name"] == "Proposal"
    history = api(rep).get(f"/api/v1/deals/{deal.pk}/history/").json()
    assert [(h["from_stage_name"], h["to_stage_name"], h["cause"]) for h in history] == [
        (None, "Qualification", "manual"),
        ("Qualification", "Proposal", "api"),
    ]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"to_stage": "Maybe"}, "to_stage"),
        ({}, "to_stage"),
        ({"to_stage": "Won", "amount": "-5"}, "amount"),
        ({"to_stage": "Lost"}, "lost_reason"),
        ({"to_stage": "Lost", "lost_reason": "Astrology"}, "lost_reason"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(api, rep, body, field):
    deal = _deal(rep)
    response = _move(api(rep), deal, body)
    assert response.status_code == 400 and field in response.json()
    assert DealStageChange.objects.filter(deal=deal).count() == 1
    assert Deal.objects.get(pk=deal.pk).status == "open"


def test_a_move_out_of_a_closed_deal_is_a_409(api, rep, manager):
    deal = _deal(rep, stage="Won")
    response = _move(api(rep), deal, {"to_stage": "Demo"})
    assert response.status_code == 409 and response.json()["code"] == "deal_closed"
    assert (
        _move(api(rep), deal, {"to_stage": "Demo", "reopen": True, "reason": "x"}).status_code
        == 403
    )
    reopened = _move(api(manager), deal, {"to_stage": "Demo", "reopen": True, "reason": "Typo"})
    assert reopened.status_code == 200 and reopened.json()["status"] == "open"


def test_another_reps_deal_is_a_404(api, rep, other_rep):
    deal = _deal(other_rep)
    assert _move(api(rep), deal, {"to_stage": "Demo"}).status_code == 404
    assert api(rep).get(f"/api/v1/deals/{deal.pk}/history/").status_code == 404


def test_lose_accepts_a_reason_from_the_list(api, rep):
    deal = _deal(rep)
    response = api(rep).post(
        f"/api/v1/deals/{deal.pk}/lose/", {"lost_reason": "Timing"}, format="json"
    )
    assert response.status_code == 200 and response.json()["stage_name"] == "Lost"
    assert (
        api(rep).post(f"/api/v1/deals/{_deal(rep).pk}/lose/", {}, format="json").status_code == 400
    )


def test_forecast_for_a_manager_and_a_rep(api, manager, rep, other_rep):
    _deal(rep, "400.00", "Negotiation", expected_close_on=date(2027, 3, 20))
    _deal(other_rep, "100.00", "Won")
    QuotaFactory(owner=rep, period="quarter", on=date(2027, 3, 1), target=Decimal("1000"))
    body = api(manager).get("/api/v1/metrics/forecast/", {"period": "quarter"}).json()
    assert body["period"]["label"] == "Q1 2027"
    rows = {r["owner"]: r for r in body["reps"]}
    assert rows[rep.pk]["commit"] == "400.00" and rows[rep.pk]["weighted"] == "320.00"
    assert rows[rep.pk]["target"] == "1000.00" and rows[rep.pk]["attainment"] == 0.0
    assert body["team"]["closed_won"] == "100.00" and body["team"]["best_case"] == "500.00"
    mine = api(rep).get("/api/v1/metrics/forecast/").json()
    assert [r["owner"] for r in mine["reps"]] == [rep.pk]


def test_forecast_bad_period_is_a_400(api, manager):
    response = api(manager).get("/api/v1/metrics/forecast/", {"period": "decade"})
    assert response.status_code == 400 and "period" in response.json()


def test_pipeline_metrics(api, manager, rep):
    _deal(rep, stage="Demo")
    body = api(manager).get("/api/v1/metrics/pipeline/", {"since": "2027-03-01"}).json()
    velocity = {v["name"]: v["moves_out"] for v in body["velocity"]}
    assert velocity["Qualification"] == 1
    bad = api(manager).get(
        "/api/v1/metrics/pipeline/", {"since": "2027-04-01", "until": "2027-03-01"}
    )
    assert bad.status_code == 400


def test_api_queries_do_not_grow(api, manager, rep, other_rep, django_assert_max_num_queries):
    client = api(manager)
    _deal(rep, stage="Demo")
    urls = ["/api/v1/metrics/forecast/", "/api/v1/metrics/pipeline/", "/api/v1/deals/"]
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(30) as few:
            client.get(url)
        counts[url] = len(few.captured_queries)
    for owner in (rep, other_rep):
        for stage in ("Demo", "Proposal", "Won"):
            _deal(owner, stage=stage, expected_close_on=date(2027, 3, 30))
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            client.get(url)


def test_in_the_openapi_document(api, manager):
    schema = api(manager).get("/api/v1/schema/", {"format": "json"}).json()
    for path in (
        "/api/v1/metrics/forecast/",
        "/api/v1/metrics/pipeline/",
        "/api/v1/deal-stages/",
        "/api/v1/deals/{id}/move/",
        "/api/v1/deals/{id}/history/",
    ):
        assert path in schema["paths"], path
