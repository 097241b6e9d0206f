"""Every amount of the pipeline names its currency: a card its deal's own, column totals
and forecast figures the company currency (converted), in pages, CSV exports and the
API; and bad input is a 4xx with a clear message that writes nothing."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from funnel.stages import Cause
from sales.models import Deal, DealStageChange
from sales.services import deal_win
from tests.currencies.factories import rate
from tests.sales.factories import DealFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _usd(settings):
    settings.FUNNEL_CURRENCY = "USD"


@pytest.fixture
def eur_deal(my_prospect):
    rate("EUR", timezone.localdate() - timedelta(days=5), "1.20000000")
    return DealFactory(
        lead=my_prospect,
        amount=Decimal("1000.00"),
        currency="EUR",
        expected_close_on=timezone.localdate(),
    )


def test_the_board_names_each_cards_currency_and_totals_in_the_companys(client, rep, eur_deal):
    client.force_login(rep)
    page = client.get("/sales/deals/board/").content.decode()
    assert "1,000.00 EUR" in page  # the card, in its own currency
    assert "1,200.00 USD" in page  # the column total, converted
    assert "120.00 USD" in page  # weighted: 10 % of Qualification


def test_the_forecast_page_and_its_exports_name_the_company_currency(
    client, manager, rep, eur_deal
):
    client.force_login(manager)
    page = client.get("/dashboard/forecast/").content.decode()
    assert "1,200.00 USD" in page  # pipeline, converted
    for table in ("forecast", "forecast-teams", "forecast-history"):
        export = client.get(f"/dashboard/forecast/?export={table}")
        header = export.content.decode().splitlines()[0]
        assert export.status_code == 200 and "(USD, exact)" in header, (table, header)


def test_the_api_gives_the_currency_beside_every_amount(api, rep, eur_deal):
    deal = api(rep).get(f"/api/v1/deals/{eur_deal.pk}/").json()
    assert (deal["amount"], deal["currency"]) == ("1000.00", "EUR")
    [row] = api(rep).get(f"/api/v1/deals/{eur_deal.pk}/history/").json()
    assert (row["amount"], row["currency"]) == ("1000.00", "EUR")
    forecast = api(rep).get("/api/v1/metrics/forecast/").json()
    assert forecast["currency"] == "USD"


def _nothing_written(deal, rows):
    fresh = Deal.objects.get(pk=deal.pk)
    assert DealStageChange.objects.filter(deal=deal).count() == rows
    return fresh


def test_unknown_stage_is_400_naming_the_stages(api, rep, eur_deal):
    response = api(rep).post(
        f"/api/v1/deals/{eur_deal.pk}/move/", {"to_stage": "Haggling"}, format="json"
    )
    assert response.status_code == 400
    assert "to_stage" in response.json()
    assert _nothing_written(eur_deal, 1).stage.name == "Qualification"


def test_a_move_out_of_a_closed_deal_is_409(api, rep, my_prospect):
    deal = DealFactory(lead=my_prospect)
    deal_win(deal_id=deal.pk, actor=rep, cause=Cause.MANUAL)
    response = api(rep).post(f"/api/v1/deals/{deal.pk}/move/", {"to_stage": "Demo"}, format="json")
    assert response.status_code == 409
    assert "cannot move to Demo" in response.json()["detail"]
    assert _nothing_written(deal, 2).status == "won"


def test_a_close_on_a_day_without_a_rate_is_400_naming_closed_on(api, rep, my_prospect):
    rate("EUR", date(2027, 3, 20), "1.2")
    deal = DealFactory(
        lead=my_prospect, currency="EUR", created_at=timezone.now() - timedelta(days=30)
    )
    response = api(rep).post(
        f"/api/v1/deals/{deal.pk}/move/",
        {"to_stage": "Won", "closed_on": "2027-03-10"},
        format="json",
    )
    assert response.status_code == 400
    assert "No EUR rate on or before 2027-03-10" in str(response.json()["closed_on"])
    assert _nothing_written(deal, 1).status == "open"


def test_a_negative_amount_is_400(api, rep, eur_deal):
    response = api(rep).post(
        f"/api/v1/deals/{eur_deal.pk}/move/",
        {"to_stage": "Won", "amount": "-1.00"},
        format="json",
    )
    assert response.status_code == 400
    assert "amount" in response.json()
    assert _nothing_written(eur_deal, 1).amount == Decimal("1000.00")


def test_a_board_move_to_an_unknown_stage_is_400_with_a_message(client, rep, eur_deal):
    client.force_login(rep)
    response = client.post(
        f"/sales/deals/{eur_deal.pk}/move/", {"to_stage": 999999}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert "that stage is not in its pipeline" in response.content.decode()
    assert _nothing_written(eur_deal, 1).stage.name == "Qualification"
