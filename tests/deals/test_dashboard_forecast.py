"""The dashboard's Forecast tab: managers only, figures on the page, constant queries."""

from datetime import date
from decimal import Decimal

import pytest

from funnel.stages import Cause
from sales.pipeline.forecast import forecast_snapshots_take
from sales.pipeline.services import deal_move
from tests.sales.factories import DealFactory, QuotaFactory, prospect

pytestmark = pytest.mark.django_db
URL = "/dashboard/forecast/"


def _deal(owner, amount, stage):
    deal = DealFactory(
        lead=prospect(owner=owner),
        owner=owner,
        amount=Decimal(amount),
        expected_close_on=date(2027, 3, 25),
    )
    deal_move(deal_id=deal.pk, to_stage=stage, actor=owner, cause=Cause.MANUAL)


def test_managers_see_forecast_history_and_stage_metrics(client, manager, rep):
    _deal(rep, "400.00", "Negotiation")
    _deal(rep, "1000.00", "Won")
    QuotaFactory(owner=rep, period="quarter", on=date(2027, 3, 1), target=Decimal("5000"))
    forecast_snapshots_take(on=date(2027, 3, 31))
    client.force_login(manager)
    html = client.get(URL, {"period": "quarter"}).content.decode()
    assert "Forecast, Q1 2027" in html
    assert "1,400.00" in html  # commit: 1000 won + 400 in Negotiation
    assert "2027-03-29" in html  # the week's snapshot
    assert "Win rate" in html and "Slippage" in html


def test_reps_may_not(client, rep):
    client.force_login(rep)
    assert client.get(URL).status_code == 403


def test_queries_do_not_grow(client, manager, rep, other_rep, django_assert_max_num_queries):
    client.force_login(manager)
    _deal(rep, "1.00", "Demo")
    with django_assert_max_num_queries(40) as few:
        client.get(URL)
    for owner in (rep, other_rep):
        for stage in ("Demo", "Negotiation", "Won"):
            _deal(owner, "5.00", stage)
    forecast_snapshots_take(on=date(2027, 3, 31))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(URL)
