"""Spend in any ISO 4217 currency: a foreign currency is booked when a rate converts it on
the line's day, and refused with a 400 naming the field when none does (nothing written)."""

from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from marketing.models import Spend
from marketing.spend_csv import SpendFileInvalid, spend_import_csv
from tests.currencies.factories import rate
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(settings):
    settings.FUNNEL_CURRENCY = "USD"
    with time_machine.travel("2026-12-04 12:00:00+00:00", tick=False):
        yield


@pytest.fixture
def url():
    return f"/api/v1/campaigns/{CampaignFactory().pk}/spend/"


def test_a_foreign_currency_with_a_rate_is_booked_in_it(marketer_api, url):
    rate("EUR", "2026-11-01", "1.08")
    response = marketer_api.post(url, {"day": "2026-11-14", "amount": "25.50", "currency": "eur"})

    assert response.status_code == 201, response.json()
    assert (response.json()["currency"], response.json()["amount"]) == ("EUR", "25.50")
    assert list(Spend.objects.values_list("currency", "amount")) == [("EUR", Decimal("25.50"))]


def test_no_rate_on_or_before_the_day_is_400_naming_the_field(marketer_api, url):
    rate("EUR", "2026-11-15", "1.08")  # The day after the line: it does not apply.
    response = marketer_api.post(url, {"day": "2026-11-14", "amount": "25.50", "currency": "EUR"})

    assert response.status_code == 400
    assert list(response.json()) == ["currency"]
    message = response.json()["currency"][0]
    assert "No EUR rate on or before 2026-11-14" in message and "2026-11-15" in message
    assert not Spend.objects.exists()


@pytest.mark.parametrize("code", ["EURO", "ZZZ", "12", "XXX"])
def test_an_unknown_code_is_400(marketer_api, url, code):
    response = marketer_api.post(url, {"day": "2026-11-14", "amount": "1", "currency": code})

    assert response.status_code == 400
    assert "currency" in response.json()
    assert not Spend.objects.exists()


def test_a_negative_amount_is_400(marketer_api, url):
    rate("EUR", "2026-11-01", "1.08")
    response = marketer_api.post(url, {"day": "2026-11-14", "amount": "-1", "currency": "EUR"})

    assert response.status_code == 400 and "amount" in response.json()
    assert not Spend.objects.exists()


def test_one_line_without_a_rate_refuses_the_batch(marketer_api, url):
    rate("EUR", "2026-11-01", "1.08")
    body = [
        {"day": "2026-11-14", "amount": "1", "currency": "EUR"},
        {"day": "2026-11-15", "amount": "2", "currency": "GBP"},
        {"day": "2026-11-16", "amount": "3"},
    ]
    response = marketer_api.post(url, body)

    assert response.status_code == 400
    errors = response.json()  # By line index, as the serializer's own errors.
    assert list(errors) == ["1"]
    assert "No GBP rate" in errors["1"]["currency"][0]
    assert not Spend.objects.exists()


def test_the_company_currency_or_none_is_booked_without_a_rate(marketer_api, url, settings):
    settings.FUNNEL_CURRENCY = "EUR"
    for currency in ("EUR", "eur", None):
        body = {"day": "2026-11-14", "amount": "3"} | ({"currency": currency} if currency else {})
        assert marketer_api.post(url, body).status_code == 201
    assert set(Spend.objects.values_list("currency", flat=True)) == {"EUR"}


def _upload(text: bytes):
    campaign = CampaignFactory()
    upload = SimpleUploadedFile("spend.csv", text, content_type="text/csv")
    return campaign, spend_import_csv(campaign=campaign, upload=upload)


def test_a_csv_currency_column_books_each_line_in_its_currency():
    rate("GBP", "2026-10-01", "1.27")
    text = b"day,amount,currency\n2026-11-14,5,USD\n2026-11-15,6,gbp\n2026-11-16,7,\n"
    campaign, _rows = _upload(text)

    booked = Spend.objects.filter(campaign=campaign).order_by("day")
    assert list(booked.values_list("currency", "amount")) == [
        ("USD", Decimal("5.00")),
        ("GBP", Decimal("6.00")),
        ("USD", Decimal("7.00")),
    ]


def test_a_csv_reports_unknown_codes_and_missing_rates_by_line():
    rate("GBP", "2026-11-15", "1.27")
    text = (
        b"day,amount,currency\n"
        b"2026-11-14,5,USD\n"
        b"2026-11-14,6,GBP\n"  # Before the first GBP rate.
        b"2026-11-15,7,GBP\n"
        b"2026-11-16,8,EURO\n"
        b"2026-11-16,9,JPY\n"  # No JPY rates at all.
    )
    with pytest.raises(SpendFileInvalid) as raised:
        _upload(text)

    messages = raised.value.messages
    assert [m.split(":")[0] for m in messages] == ["Line 3", "Line 5", "Line 6"]
    assert "No GBP rate on or before 2026-11-14; its rates start on 2026-11-15" in messages[0]
    assert "'EURO' is not an ISO 4217 currency code" in messages[1]
    assert "No JPY rate on or before 2026-11-16; it has no rates yet" in messages[2]
    assert not Spend.objects.exists()
