"""Deals in any ISO 4217 currency: accepted when a rate converts them on their day (today
when opened or edited, the close date when won or lost); otherwise a 400 naming the
field, and nothing written."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from funnel.stages import Stage
from leads.models import Lead
from sales.models import Deal
from tests.currencies.factories import rate
from tests.sales.factories import DealFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _usd(settings):
    settings.FUNNEL_CURRENCY = "USD"


def _open(client, lead, **body):
    return client.post(
        "/api/v1/deals/",
        {"lead": lead.pk, "title": "Annual plan", "amount": "4800.00", **body},
        format="json",
    )


def test_a_deal_in_a_currency_with_a_rate_is_opened_in_it(api, rep, my_prospect):
    rate("EUR", timezone.localdate() - timedelta(days=30), "1.08")
    response = _open(api(rep), my_prospect, currency="eur")

    assert response.status_code == 201, response.json()
    assert (response.json()["amount"], response.json()["currency"]) == ("4800.00", "EUR")
    assert Deal.objects.get().currency == "EUR"


def test_without_a_currency_the_deal_is_in_the_company_currency(api, rep, my_prospect):
    assert _open(api(rep), my_prospect).json()["currency"] == "USD"


def test_no_rate_yet_is_400_naming_the_currency(api, rep, my_prospect):
    rate("EUR", timezone.localdate() + timedelta(days=0), "1.08")
    response = _open(api(rep), my_prospect, currency="GBP")

    assert response.status_code == 400
    assert list(response.json()) == ["currency"]
    assert "No GBP rate on or before" in response.json()["currency"][0]
    assert not Deal.objects.exists()


@pytest.mark.parametrize("code", ["EURO", "E1R", "", "XTS"])
def test_an_unknown_code_is_400(api, rep, my_prospect, code):
    response = _open(api(rep), my_prospect, currency=code)

    assert response.status_code == 400 and "currency" in response.json()
    assert not Deal.objects.exists()


def test_a_negative_amount_is_400_in_any_currency(api, rep, my_prospect):
    rate("EUR", timezone.localdate(), "1.08")
    response = _open(api(rep), my_prospect, currency="EUR", amount="-5.00")

    assert response.status_code == 400 and list(response.json()) == ["amount"]
    assert not Deal.objects.exists()


def test_changing_an_open_deals_currency_needs_a_rate(api, rep, my_prospect):
    deal = DealFactory(lead=my_prospect)
    client = api(rep)

    refused = client.patch(f"/api/v1/deals/{deal.pk}/", {"currency": "CHF"}, format="json")
    assert refused.status_code == 400 and "No CHF rate" in refused.json()["currency"][0]
    assert Deal.objects.get().currency == "USD"

    rate("CHF", timezone.localdate(), "1.12")
    changed = client.patch(f"/api/v1/deals/{deal.pk}/", {"currency": "chf"}, format="json")
    assert changed.status_code == 200 and changed.json()["currency"] == "CHF"


def test_winning_before_the_first_rate_is_400_and_nothing_moves(api, rep, my_prospect):
    today = timezone.localdate()
    rate("EUR", today - timedelta(days=40), "1.08")
    deal = DealFactory(
        lead=my_prospect,
        currency="EUR",
        created_at=timezone.now() - timedelta(days=60),
    )
    client = api(rep)
    early = (today - timedelta(days=50)).isoformat()

    refused = client.post(f"/api/v1/deals/{deal.pk}/win/", {"closed_on": early}, format="json")

    assert refused.status_code == 400
    assert list(refused.json()) == ["closed_on"]
    assert f"No EUR rate on or before {early}" in refused.json()["closed_on"][0]
    assert Deal.objects.get().status == "open"
    assert Lead.objects.get(pk=my_prospect.pk).stage == Stage.PROSPECT

    won = client.post(f"/api/v1/deals/{deal.pk}/win/", {}, format="json")
    assert won.status_code == 200 and won.json()["currency"] == "EUR"
    assert Lead.objects.get(pk=my_prospect.pk).stage == Stage.CUSTOMER


def test_the_deal_form_opens_a_deal_in_a_currency(client, rep, my_prospect):
    rate("JPY", timezone.localdate(), "0.0067")
    client.force_login(rep)
    response = client.post(
        f"/sales/leads/{my_prospect.pk}/deals/",
        {"title": "Tokyo office", "amount": "1500000", "currency": "JPY", "return_to": "lead"},
    )

    assert response.status_code in (200, 302)
    assert list(Deal.objects.values_list("amount", "currency")) == [(Decimal("1500000.00"), "JPY")]
    page = client.get(f"/leads/{my_prospect.pk}/").content.decode()
    assert "1,500,000.00 JPY" in page
