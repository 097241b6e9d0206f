"""Edits of a deal's amount, currency or expected close date go through one service
(`sales.services.deal_update`) under the deal's lock and leave an immutable history row
with the values at that moment and the close date before; refused edits write nothing."""

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from funnel.metrics.window import Window
from funnel.stages import Cause
from sales.models import Deal, DealStageChange
from sales.pipeline.metrics import slippage
from sales.pipeline.services import deal_move
from sales.services import deal_update, deal_win
from tests.currencies.factories import rate
from tests.sales.factories import DealFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _usd(settings):
    settings.FUNNEL_CURRENCY = "USD"


def _edits(deal):
    return list(deal.stage_changes.filter(kind="edit").order_by("at", "id"))


def _patch(client, deal, body):
    return client.patch(f"/api/v1/deals/{deal.pk}/", body, format="json")


def test_api_edit_writes_a_history_row_with_the_values_then(api, rep, my_prospect):
    deal = DealFactory(lead=my_prospect, expected_close_on=date(2027, 5, 1))
    response = _patch(api(rep), deal, {"amount": "2500.00", "expected_close_on": "2027-05-20"})

    assert response.status_code == 200, response.json()
    [row] = _edits(deal)
    assert (row.amount, row.currency, row.expected_close_on) == (
        Decimal("2500.00"),
        "USD",
        date(2027, 5, 20),
    )
    assert row.previous_expected_close_on == date(2027, 5, 1)
    assert (row.from_stage_id, row.to_stage_id) == (deal.stage_id, deal.stage_id)
    assert (row.actor, row.cause) == (rep, Cause.API)
    assert "Expected close 2027-05-01 → 2027-05-20" in row.reason
    history = api(rep).get(f"/api/v1/deals/{deal.pk}/history/").json()
    assert [h["kind"] for h in history] == ["move", "edit"]
    assert history[1]["previous_expected_close_on"] == "2027-05-01"


def test_a_currency_change_is_recorded_with_its_amount(api, rep, my_prospect):
    rate("EUR", timezone.localdate() - timedelta(days=3), "1.10")
    deal = DealFactory(lead=my_prospect)
    response = _patch(api(rep), deal, {"currency": "EUR", "amount": "900.00"})

    assert response.status_code == 200, response.json()
    [row] = _edits(deal)
    assert (row.amount, row.currency) == (Decimal("900.00"), "EUR")


def test_title_only_or_unchanged_values_write_no_row(api, rep, my_prospect):
    deal = DealFactory(lead=my_prospect, expected_close_on=date(2027, 5, 1))
    assert _patch(api(rep), deal, {"title": "Renamed"}).status_code == 200
    assert _patch(api(rep), deal, {"expected_close_on": "2027-05-01"}).status_code == 200
    assert _edits(deal) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "-5.00"}, "amount"),
        ({"currency": "JPY"}, "currency"),  # no rate for today
        ({"currency": "ZZZ"}, "currency"),  # not ISO 4217
    ],
)
def test_bad_edits_are_400_and_write_nothing(api, rep, my_prospect, body, field):
    deal = DealFactory(lead=my_prospect, expected_close_on=date(2027, 5, 1))
    response = _patch(api(rep), deal, body)

    assert response.status_code == 400
    assert field in response.json()
    deal.refresh_from_db()
    assert (deal.amount, deal.currency) == (Decimal("1000.00"), "USD")
    assert _edits(deal) == []


def test_close_date_edit_on_a_closed_deal_is_409_and_writes_nothing(api, rep, my_prospect):
    deal = DealFactory(lead=my_prospect, expected_close_on=date(2027, 5, 1))
    deal_win(deal_id=deal.pk, actor=rep, cause=Cause.MANUAL)
    rows = deal.stage_changes.count()
    response = _patch(api(rep), deal, {"expected_close_on": "2027-06-01"})

    assert response.status_code == 409
    assert "Only the title can change" in response.json()["detail"]
    assert Deal.objects.get(pk=deal.pk).expected_close_on == date(2027, 5, 1)
    assert deal.stage_changes.count() == rows


def test_edit_rows_are_not_moves_for_velocity_or_the_reopen_stage(manager, rep, my_prospect):
    deal = DealFactory(lead=my_prospect, expected_close_on=date(2027, 5, 1))
    deal_move(deal_id=deal.pk, to_stage="Demo", actor=rep, cause=Cause.MANUAL)
    deal_update(deal_id=deal.pk, actor=rep, amount=Decimal("10.00"))
    from sales.services import deal_reopen

    deal_win(deal_id=deal.pk, actor=rep, cause=Cause.MANUAL)
    reopened = deal_reopen(deal_id=deal.pk, actor=manager, reason="Entered by mistake")
    assert reopened.stage.name == "Demo"


def _oracle(window: Window) -> tuple[int, int, int, int]:
    """Slippage worked out from the raw history in Python: each row against the row
    before it of the same deal, in (at, id) order."""
    compared = pushed = days = 0
    deals = set()
    previous: dict[int, date | None] = {}
    for row in DealStageChange.objects.order_by("deal_id", "at", "id"):
        before = previous.get(row.deal_id)
        previous[row.deal_id] = row.expected_close_on
        in_window = window.start <= row.at < window.end
        if not in_window or before is None or row.expected_close_on is None:
            continue
        compared += 1
        if row.expected_close_on > before:
            pushed += 1
            days += (row.expected_close_on - before).days
            deals.add(row.deal_id)
    return compared, pushed, len(deals), days


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_slippage_matches_an_independent_computation(rep, seed):
    rng = random.Random(seed)
    window = Window(date(2027, 3, 1), date(2027, 3, 31))
    start = datetime(2027, 2, 10, tzinfo=UTC)
    stages = ["Demo", "Proposal", "Negotiation"]
    for _ in range(8):
        created = start + timedelta(days=rng.randrange(0, 20))
        expected = rng.choice([None, date(2027, 3, 1) + timedelta(days=rng.randrange(0, 60))])
        deal = DealFactory(
            owner=rep, created_at=created, stage_changed_at=created, expected_close_on=expected
        )
        moment = created
        position = 0
        for _ in range(rng.randrange(1, 7)):
            moment += timedelta(days=rng.randrange(1, 6), hours=rng.randrange(0, 23))
            if rng.random() < 0.5 and position < len(stages):
                deal_move(
                    deal_id=deal.pk,
                    to_stage=stages[position],
                    actor=rep,
                    cause=Cause.MANUAL,
                    at=moment,
                )
                position += 1
            else:
                day = (
                    None
                    if rng.random() < 0.1
                    else date(2027, 3, 1) + timedelta(days=rng.randrange(0, 90))
                )
                deal_update(
                    deal_id=deal.pk,
                    actor=rep,
                    expected_close_on=day,
                    clear_expected_close_on=day is None,
                    at=moment,
                )
    figures = slippage(window=window)
    assert (figures.compared, figures.pushed, figures.deals_pushed, figures.days_pushed) == (
        _oracle(window)
    )
    assert figures.compared > 0
