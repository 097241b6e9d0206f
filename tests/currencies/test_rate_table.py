"""Entering, correcting and deleting rates: the rules of `currencies.services`, through the
API (managers write, everyone signed in reads)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from currencies.models import ExchangeRate
from tests.api.clients import token_client
from tests.currencies.factories import rate
from tests.marketing.factories import SpendFactory
from tests.sales.factories import DealFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _usd(settings):
    settings.FUNNEL_CURRENCY = "USD"


def test_a_manager_enters_a_rate_and_entering_it_again_corrects_it(manager):
    client = token_client(manager)
    body = {"currency": "eur", "day": "2027-03-01", "rate": "1.0825"}

    created = client.post("/api/v1/rates/", body, format="json")
    corrected = client.post("/api/v1/rates/", body | {"rate": "1.09"}, format="json")

    assert created.status_code == 201 and corrected.status_code == 200
    assert corrected.json()["id"] == created.json()["id"]
    assert (corrected.json()["currency"], corrected.json()["to_currency"]) == ("EUR", "USD")
    assert list(ExchangeRate.objects.values_list("currency", "rate")) == [("EUR", Decimal("1.09"))]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"currency": "EURO"}, "currency"),
        ({"currency": "USD"}, "currency"),  # The company currency converts at 1.
        ({"rate": "0"}, "rate"),
        ({"rate": "-1.2"}, "rate"),
        ({"rate": "1.12345678901"}, "rate"),  # More than 10 decimals.
        ({"day": "2099-01-01"}, "day"),  # A rate is for a day that has come.
        ({"day": "31/03/2027"}, "day"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_nothing_is_written(manager, body, field):
    good = {"currency": "EUR", "day": "2027-03-01", "rate": "1.08"}
    response = token_client(manager).post("/api/v1/rates/", good | body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not ExchangeRate.objects.exists()


def test_reps_read_rates_but_do_not_write_them(rep):
    existing = rate("EUR", "2027-03-01", "1.08")
    client = token_client(rep)

    assert client.get("/api/v1/rates/?currency=eur").json()["results"][0]["rate"] == (
        "1.0800000000"
    )
    body = {"currency": "GBP", "day": "2027-03-01", "rate": "1.2"}
    assert client.post("/api/v1/rates/", body, format="json").status_code == 403
    assert client.delete(f"/api/v1/rates/{existing.pk}/").status_code == 403
    assert ExchangeRate.objects.count() == 1


def test_patch_corrects_the_value_only(manager):
    existing = rate("EUR", "2027-03-01", "1.08")
    client = token_client(manager)
    response = client.patch(f"/api/v1/rates/{existing.pk}/", {"rate": "1.11"}, format="json")

    assert response.status_code == 200
    assert ExchangeRate.objects.get().rate == Decimal("1.11")
    bad = client.patch(f"/api/v1/rates/{existing.pk}/", {"rate": "0"}, format="json")
    assert bad.status_code == 400 and "rate" in bad.json()


def test_a_rate_amounts_depend_on_is_not_deleted(manager):
    today = timezone.localdate()
    first = rate("EUR", today - timedelta(days=30), "1.08")
    later = rate("EUR", today - timedelta(days=10), "1.09")
    SpendFactory(day=today - timedelta(days=20), currency="EUR")
    client = token_client(manager)

    refused = client.delete(f"/api/v1/rates/{first.pk}/")

    assert refused.status_code == 409
    assert "1 spend lines in EUR are converted with this rate" in refused.json()["detail"]
    # A later rate is no line's only rate: the earlier one still converts them.
    assert client.delete(f"/api/v1/rates/{later.pk}/").status_code == 204
    assert list(ExchangeRate.objects.values_list("pk", flat=True)) == [first.pk]


def test_the_earliest_rate_goes_once_an_earlier_one_covers_the_amounts(manager):
    today = timezone.localdate()
    first = rate("GBP", today - timedelta(days=5), "1.27")
    DealFactory(currency="GBP")  # Open: converted at today.
    client = token_client(manager)

    assert client.delete(f"/api/v1/rates/{first.pk}/").status_code == 409
    rate("GBP", today - timedelta(days=6), "1.26")
    assert client.delete(f"/api/v1/rates/{first.pk}/").status_code == 204


def test_the_currencies_list_is_iso_4217():
    from currencies.codes import currency_names

    names = currency_names()
    assert names["EUR"] == "Euro" and names["JPY"] == "Yen"
    assert "XXX" not in names and "XTS" not in names
    assert all(len(code) == 3 and code.isupper() for code in names)
