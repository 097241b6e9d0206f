"""Importing rates from CSV: all lines or none, every bad line reported with its number."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from currencies.models import ExchangeRate
from currencies.rates_csv import RateFileInvalid, rates_import_csv
from tests.api.clients import token_client
from tests.currencies.factories import rate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _usd(settings):
    settings.FUNNEL_CURRENCY = "USD"


def test_a_file_creates_and_corrects_rates(manager):
    rate("EUR", "2027-03-01", "1.00")
    text = b"currency,day,rate\nEUR,2027-03-01,1.0825\neur,2027-03-02,1.09\nJPY,2027-03-01,0.0067\n"

    result = rates_import_csv(raw=text, actor=manager)

    assert (result.created, result.updated) == (2, 1)
    assert set(ExchangeRate.objects.values_list("currency", "rate")) == {
        ("EUR", Decimal("1.0825")),
        ("EUR", Decimal("1.09")),
        ("JPY", Decimal("0.0067")),
    }


def test_spreadsheet_files_with_semicolons_and_decimal_commas(manager):
    rates_import_csv(
        raw="\ufeffCurrency;Date;Rate\nCHF;2027-03-01;1,1234\n".encode(), actor=manager
    )
    assert ExchangeRate.objects.get().rate == Decimal("1.1234")


def test_every_bad_line_is_reported_by_number_and_nothing_is_written(manager):
    text = (
        b"currency,day,rate\n"
        b"EUR,2027-03-01,1.08\n"
        b"EURO,2027-03-01,1.08\n"
        b"GBP,2027-02-30,1.2\n"
        b"\n"
        b"JPY,2027-03-01,-0.1\n"
        b"USD,2027-03-01,1\n"
        b"EUR,2027-03-01,1.09\n"
        b"CHF,2099-01-01,1.1\n"
    )
    with pytest.raises(RateFileInvalid) as raised:
        rates_import_csv(raw=text, actor=manager)

    assert raised.value.messages == [
        "Line 3: 'EURO' is not an ISO 4217 currency code.",
        "Line 4: day '2027-02-30' is not a date like 2027-03-31.",
        "Line 6: A rate is more than zero.",
        "Line 7: USD is the company currency: it always converts at 1 and has no rates.",
        "Line 8: EUR on 2027-03-01 is already on line 2.",
        "Line 9: A rate is for a day up to today (2027-03-31).",
    ]
    assert not ExchangeRate.objects.exists()


def test_a_file_without_the_columns_is_refused(manager):
    with pytest.raises(RateFileInvalid) as raised:
        rates_import_csv(raw=b"code,when,value\nEUR,2027-03-01,1\n", actor=manager)
    assert raised.value.messages == [
        "Line 1: the header needs currency, day (or date) and rate columns."
    ]


def test_the_api_import_answers_400_with_the_lines(manager, rep):
    client = token_client(manager)
    bad = SimpleUploadedFile("r.csv", b"currency,day,rate\nEUR,2027-03-01,x\n")
    response = client.post("/api/v1/rates/import_csv/", {"file": bad}, format="multipart")

    assert response.status_code == 400
    assert response.json() == {"file": ["Line 2: Enter a rate such as 1.0825."]}
    good = SimpleUploadedFile("r.csv", b"currency,day,rate\nEUR,2027-03-01,1.08\n")
    response = client.post("/api/v1/rates/import_csv/", {"file": good}, format="multipart")
    assert response.json() == {"created": 1, "updated": 0}
    again = SimpleUploadedFile("r.csv", b"currency,day,rate\nEUR,2027-03-02,1.08\n")
    refused = token_client(rep).post(
        "/api/v1/rates/import_csv/", {"file": again}, format="multipart"
    )
    assert refused.status_code == 403 and ExchangeRate.objects.count() == 1
