from decimal import Decimal

import pytest

from funnel.models import StageChange
from funnel.stages import Cause, Stage
from leads.models import Lead
from sales.models import Deal
from tests.sales.factories import DealFactory, lead_in, won_deal

pytestmark = pytest.mark.django_db


def test_a_rep_opens_and_wins_a_deal_and_the_prospect_becomes_a_customer(api, rep, my_prospect):
    client = api(rep)
    created = client.post(
        "/api/v1/deals/",
        {"lead": my_prospect.pk, "title": "Annual plan", "amount": "4800.00"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["status"], body["amount"], body["currency"], body["owner"]) == (
        "open",
        "4800.00",
        "USD",
        rep.pk,
    )

    won = client.post(f"/api/v1/deals/{body['id']}/win/", {}, format="json")

    assert won.status_code == 200
    assert won.json()["status"] == "won" and won.json()["closed_on"]
    assert Lead.objects.get(pk=my_prospect.pk).stage == Stage.CUSTOMER
    move = StageChange.objects.get(lead=my_prospect, to_stage=Stage.CUSTOMER)
    assert (move.cause, move.actor) == (Cause.API, rep)


def test_winning_twice_is_a_409_naming_the_state(api, rep, my_prospect):
    deal = DealFactory(lead=my_prospect)
    client = api(rep)
    assert client.post(f"/api/v1/deals/{deal.pk}/win/").status_code == 200

    again = client.post(f"/api/v1/deals/{deal.pk}/win/")
    lose = client.post(f"/api/v1/deals/{deal.pk}/lose/", {"reason": "x"}, format="json")

    assert again.status_code == 409 and "already won" in again.json()["detail"]
    assert lose.status_code == 409
    assert Deal.objects.get(pk=deal.pk).status == Deal.Status.WON


def test_winning_a_deal_of_a_lost_lead_is_a_409_and_moves_nothing(api, rep):
    lead = lead_in(Stage.PROSPECT, owner=rep)
    deal = DealFactory(lead=lead)
    from funnel.services import lead_transition

    lead_transition(lead_id=lead.pk, to_stage=Stage.LOST, cause=Cause.MANUAL)
    response = api(rep).post(f"/api/v1/deals/{deal.pk}/win/")

    assert response.status_code == 409
    assert Deal.objects.get(pk=deal.pk).status == Deal.Status.OPEN
    assert Lead.objects.get(pk=lead.pk).stage == Stage.LOST


def test_opening_a_deal_for_a_plain_lead_is_a_409(api, rep):
    lead = lead_in(Stage.LEAD, owner=rep)
    response = api(rep).post(
        "/api/v1/deals/", {"lead": lead.pk, "title": "Too early", "amount": "1"}, format="json"
    )
    assert response.status_code == 409
    assert not Deal.objects.exists()


def test_lists_filter_on_repeat_customers(api, rep, my_prospect):
    repeat_lead = my_prospect
    won_deal(repeat_lead)
    second = won_deal(Lead.objects.get(pk=repeat_lead.pk))
    once = won_deal(lead_in(Stage.PROSPECT, owner=rep))
    client = api(rep)

    repeat = client.get("/api/v1/deals/?repeat=true").json()["results"]
    others = client.get("/api/v1/deals/?repeat=false").json()["results"]

    assert {row["lead"] for row in repeat} == {repeat_lead.pk}
    assert {row["id"] for row in repeat} >= {second.pk}
    assert {row["id"] for row in others} == {once.pk}


def test_a_rep_cannot_give_a_deal_to_someone_else_but_a_manager_can(
    api, rep, other_rep, manager, my_prospect
):
    body = {"lead": my_prospect.pk, "title": "X", "amount": "10", "owner": other_rep.pk}
    refused = api(rep).post("/api/v1/deals/", body, format="json")
    allowed = api(manager).post("/api/v1/deals/", body, format="json")

    assert refused.status_code == 400 and "owner" in refused.json()
    assert allowed.status_code == 201 and allowed.json()["owner"] == other_rep.pk
    assert Deal.objects.count() == 1


def test_status_filter_and_amounts(api, rep, my_prospect):
    open_deal = DealFactory(lead=my_prospect, amount=Decimal("10.50"))
    lost = DealFactory(lead=my_prospect)
    api(rep).post(f"/api/v1/deals/{lost.pk}/lose/", {"reason": "Timing"}, format="json")

    rows = api(rep).get("/api/v1/deals/?status=open").json()["results"]

    assert [(row["id"], row["amount"]) for row in rows] == [(open_deal.pk, "10.50")]
