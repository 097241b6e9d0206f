"""Spend is booked in the site's one currency: another currency is refused, not relabelled."""

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from marketing.models import Spend
from marketing.spend_csv import SpendFileInvalid, spend_import_csv
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-12-04 12:00:00+00:00", tick=False):
        yield


@pytest.fixture
def url():
    return f"/api/v1/campaigns/{CampaignFactory().pk}/spend/"


def test_another_currency_is_400_naming_the_field(marketer_api, url, settings):
    settings.FUNNEL_CURRENCY = "USD"
    response = marketer_api.post(url, {"day": "2026-11-14", "amount": "25.50", "currency": "EUR"})

    assert response.status_code == 400
    assert list(response.json()) == ["currency"]
    assert "USD" in response.json()["currency"][0]
    assert not Spend.objects.exists()


def test_one_bad_currency_in_a_batch_refuses_the_batch(marketer_api, url):
    body = [
        {"day": "2026-11-14", "amount": "1", "currency": "USD"},
        {"day": "2026-11-15", "amount": "2", "currency": "GBP"},
    ]
    response = marketer_api.post(url, body)

    assert response.status_code == 400
    assert "currency" in response.json()["1"]
    assert not Spend.objects.exists()


def test_the_sites_currency_or_none_is_booked(marketer_api, url, settings):
    settings.FUNNEL_CURRENCY = "EUR"
    for currency in ("EUR", "eur", None):
        body = {"day": "2026-11-14", "amount": "3"} | ({"currency": currency} if currency else {})
        assert marketer_api.post(url, body).status_code == 201
    assert Spend.objects.count() == 3


def test_a_csv_currency_column_must_be_the_sites(settings):
    settings.FUNNEL_CURRENCY = "USD"
    text = b"day,amount,currency\n2026-11-14,5,USD\n2026-11-15,6,EUR\n"
    with pytest.raises(SpendFileInvalid) as raised:
        spend_import_csv(campaign=CampaignFactory(), upload=SimpleUploadedFile("spend.csv", text))
    assert raised.value.messages == ["Line 3: currency 'EUR': spend is booked in USD only."]
    assert not Spend.objects.exists()
