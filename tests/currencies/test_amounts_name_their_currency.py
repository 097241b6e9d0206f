"""Every amount on screen and in exports names its currency: a record's own (a deal, a
spend line), the company currency for report figures (converted)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import timezone

from tests.currencies.factories import rate
from tests.factories import CampaignFactory
from tests.marketing.factories import SpendFactory, WonDealFactory
from tests.sales.factories import DealFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _usd(settings):
    settings.FUNNEL_CURRENCY = "USD"


def test_the_money_filter_takes_a_currency():
    text = Template('{% load funnel_ui %}{{ a|money }} / {{ a|money:"EUR" }} / {{ b|money:"JPY" }}')
    rendered = text.render(Context({"a": Decimal("1234.5"), "b": None}))
    assert rendered == "1,234.50 USD / 1,234.50 EUR / —"


def test_the_campaign_page_shows_lines_in_theirs_and_totals_in_the_companys(client, manager):
    today = timezone.localdate()
    rate("EUR", today - timedelta(days=10), "1.10000000")
    campaign = CampaignFactory(budget=Decimal("1000"))
    SpendFactory(
        campaign=campaign, day=today - timedelta(days=1), amount=Decimal("100.00"), currency="EUR"
    )
    SpendFactory(
        campaign=campaign, day=today - timedelta(days=1), amount=Decimal("5.00"), currency="USD"
    )
    client.force_login(manager)

    page = client.get(f"/marketing/campaigns/{campaign.pk}/").content.decode()

    assert "100.00 EUR" in page and "5.00 USD" in page
    assert "115.00 USD" in page  # Spend so far: 100 x 1.10 + 5, in the company currency.


def test_the_lead_timeline_names_the_deals_currency(client, rep, my_prospect):
    rate("GBP", timezone.localdate(), "1.27")
    DealFactory(lead=my_prospect, amount=Decimal("250.00"), currency="GBP")
    client.force_login(rep)

    page = client.get(f"/leads/{my_prospect.pk}/").content.decode()
    api = client.get(f"/api/v1/leads/{my_prospect.pk}/timeline/").json()

    assert "250.00 GBP" in page
    deal = next(e for e in api["results"] if e["kind"] == "deal_opened")
    assert deal["data"]["currency"] == "GBP" and "(250.00 GBP)" in deal["summary"]


def test_the_dashboard_export_converts_and_names_the_company_currency(client, manager):
    day = date(2027, 3, 10)
    rate("EUR", date(2027, 3, 1), "1.20000000")
    campaign = CampaignFactory(name="Spring")
    SpendFactory(campaign=campaign, day=day, amount=Decimal("50.00"), currency="EUR")
    WonDealFactory(
        lead__source_campaign=campaign,
        amount=Decimal("1000.00"),
        currency="EUR",
        closed_on=day,
    )
    client.force_login(manager)

    response = client.get(
        "/dashboard/campaigns/?since=2027-03-01&until=2027-03-31&export=campaigns"
    )
    lines = response.content.decode().splitlines()

    assert "Spend (USD, exact)" in lines[0]
    spring = next(line for line in lines if line.startswith("Spring"))
    assert "60.00" in spring and "1200.00" in spring
