"""The deal board page: columns with counts and raw/weighted totals, filters, a rep sees
only their deals, moves with confirmation for won/lost, constant queries."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from funnel.stages import Cause, Stage
from leads.models import Lead
from sales.models import Deal, DealStageChange, LostReason
from sales.pipeline.board import BoardFilters, deal_board
from sales.pipeline.services import deal_move
from tests.sales.factories import DealFactory, prospect, stage_named

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
URL = "/sales/deals/board/"


def _deal(owner, amount, stage="Qualification", **fields):
    deal = DealFactory(lead=prospect(owner=owner), owner=owner, amount=Decimal(amount), **fields)
    if stage != "Qualification":
        extra = {"lost_reason": "Price"} if stage == "Lost" else {}
        deal_move(deal_id=deal.pk, to_stage=stage, actor=owner, cause=Cause.MANUAL, **extra)
    return deal


def _columns(board):
    return {c.stage.name: (c.count, c.total, c.weighted) for c in board.columns}


def test_columns_count_and_total_raw_and_weighted(manager, rep, other_rep):
    _deal(rep, "1000.00")
    _deal(rep, "500.00", "Proposal")
    _deal(other_rep, "300.00", "Proposal")
    _deal(rep, "200.00", "Won")
    _deal(rep, "50.00", "Lost")
    columns = _columns(deal_board(user=manager, filters=BoardFilters()))
    assert columns["Qualification"] == (1, Decimal("1000.00"), Decimal("100.00"))
    assert columns["Proposal"] == (2, Decimal("800.00"), Decimal("400.00"))
    assert columns["Demo"] == (0, Decimal("0.00"), Decimal("0.00"))
    assert columns["Won"] == (1, Decimal("200.00"), Decimal("200.00"))
    assert columns["Lost"] == (1, Decimal("50.00"), Decimal("0.00"))
    assert [c.stage.name for c in deal_board(user=manager, filters=BoardFilters()).columns] == [
        "Qualification",
        "Demo",
        "Proposal",
        "Negotiation",
        "Won",
        "Lost",
    ]


def test_a_rep_sees_only_their_deals_whatever_the_filter(rep, other_rep):
    mine = _deal(rep, "10.00")
    _deal(other_rep, "20.00")
    board = deal_board(user=rep, filters=BoardFilters(owner_id=other_rep.pk))
    cards = [d.pk for c in board.columns for d in c.cards]
    assert cards == [mine.pk] and not board.can_filter_owner


def test_owner_and_close_period_filters(manager, rep, other_rep):
    in_april = _deal(rep, "10.00", expected_close_on=date(2027, 4, 10))
    _deal(rep, "20.00", expected_close_on=date(2027, 3, 10))
    _deal(other_rep, "30.00", expected_close_on=date(2027, 4, 11))
    board = deal_board(user=manager, filters=BoardFilters(owner_id=rep.pk, period="next_month"))
    assert [d.pk for c in board.columns for d in c.cards] == [in_april.pk]
    assert board.period.starts_on == date(2027, 4, 1)


def test_the_page_renders_columns_and_cards(client, manager, rep):
    _deal(rep, "1234.00", title="Acme renewal")
    client.force_login(manager)
    html = client.get(URL).content.decode()
    assert "Acme renewal" in html and "Negotiation" in html
    assert "vendor/Sortable.min.js" in html and "js/deal-board.js" in html
    assert "<script>" not in html  # CSP: no inline scripts


def test_a_bad_filter_is_a_400_with_the_board(client, manager):
    client.force_login(manager)
    response = client.get(URL, {"period": "someday"})
    assert response.status_code == 400 and 'id="deal-board"' in response.content.decode()


def test_page_queries_do_not_grow_with_deals(
    client, manager, rep, other_rep, django_assert_max_num_queries
):
    client.force_login(manager)
    _deal(rep, "1.00")
    with django_assert_max_num_queries(20) as few:
        client.get(URL)
    for owner in (rep, other_rep):
        for stage in ("Qualification", "Demo", "Won", "Lost"):
            _deal(owner, "5.00", stage)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(URL)


def _move(client, deal, stage, **extra):
    data = {"to_stage": stage_named(stage).pk, **extra}
    return client.post(reverse("sales:deal_move", args=[deal.pk]), data, **HTMX)


def test_a_move_redraws_the_board_with_a_message(client, rep):
    deal = _deal(rep, "10.00", title="Moving")
    client.force_login(rep)
    response = _move(client, deal, "Demo")
    html = response.content.decode()
    assert response.status_code == 200 and response["HX-Retarget"] == "#deal-board"
    assert "Moved “Moving” to Demo." in html
    assert Deal.objects.get(pk=deal.pk).stage.name == "Demo"


def test_won_asks_first_then_moves_and_makes_a_customer(client, rep):
    deal = _deal(rep, "10.00")
    client.force_login(rep)
    asked = _move(client, deal, "Won")
    assert asked["HX-Retarget"] == "#deal-dialog-body"
    assert "Confirm won" in asked.content.decode()
    assert Deal.objects.get(pk=deal.pk).status == "open"

    _move(client, deal, "Won", confirmed="1", amount="12.50")
    deal.refresh_from_db()
    assert (deal.status, deal.amount) == ("won", Decimal("12.50"))
    assert Lead.objects.get(pk=deal.lead_id).stage == Stage.CUSTOMER


def test_lost_needs_a_reason_from_the_list(client, rep):
    deal = _deal(rep, "10.00")
    client.force_login(rep)
    response = _move(client, deal, "Lost", confirmed="1")
    assert (
        response.status_code == 400 and "Pick why the deal was lost." in response.content.decode()
    )
    assert Deal.objects.get(pk=deal.pk).status == "open"
    _move(client, deal, "Lost", confirmed="1", lost_reason=LostReason.objects.get(name="Timing").pk)
    assert Deal.objects.get(pk=deal.pk).loss_reason.name == "Timing"


def test_a_move_out_of_a_closed_deal_is_a_409_and_writes_nothing(client, rep):
    deal = _deal(rep, "10.00", "Won")
    client.force_login(rep)
    before = DealStageChange.objects.count()
    response = _move(client, deal, "Demo")
    assert response.status_code == 409 and "cannot move to Demo" in response.content.decode()
    assert DealStageChange.objects.count() == before


def test_another_reps_deal_is_a_404(client, rep, other_rep):
    deal = _deal(other_rep, "10.00")
    client.force_login(rep)
    assert _move(client, deal, "Demo").status_code == 404


def test_without_javascript_the_move_redirects_back(client, rep):
    deal = _deal(rep, "10.00")
    client.force_login(rep)
    response = client.post(
        reverse("sales:deal_move", args=[deal.pk]),
        {"to_stage": stage_named("Demo").pk, "period": "this_quarter"},
    )
    assert response.status_code == 302 and response["Location"].endswith("?period=this_quarter")
