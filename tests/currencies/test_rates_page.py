"""The managers' rates page: enter, import, delete, in a fixed number of queries."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from currencies.models import ExchangeRate
from tests.currencies.factories import rate
from tests.marketing.factories import SpendFactory

pytestmark = pytest.mark.django_db
URL = "/rates/"


@pytest.fixture(autouse=True)
def _usd(settings):
    settings.FUNNEL_CURRENCY = "USD"


def grow(n: int, offset: int = 0):
    for i in range(n):
        for code in ("EUR", "GBP", "JPY", f"{['CHF', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK'][i % 6]}"):
            day = date(2027, 1, 1) + timedelta(days=offset + i)
            ExchangeRate.objects.get_or_create(currency=code, day=day, defaults={"rate": 1})


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context)


@pytest.mark.parametrize("url", [URL, URL + "?currency=eur"])
def test_the_page_costs_the_same_whatever_the_rates(client, manager, url):
    client.force_login(manager)
    grow(2)
    small = queries(client, url)
    grow(30, offset=10)
    assert queries(client, url) == small
    # Session, user, roles, then the summary and the listed rates.
    assert small <= 6


def test_only_managers_see_the_page(client, rep, marketer):
    for user in (rep, marketer):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        response = client.post(reverse("currencies:rate_add"), {"currency": "EUR"})
        assert response.status_code == 403
    assert not ExchangeRate.objects.exists()


def test_a_manager_enters_a_rate_and_sees_it(client, manager):
    client.force_login(manager)
    response = client.post(
        reverse("currencies:rate_add"), {"currency": "EUR", "day": "2027-03-01", "rate": "1.0825"}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "1 EUR = 1.0825 USD" in page and "Rate entered" in page


def test_a_bad_rate_is_400_with_the_form_and_nothing_written(client, manager):
    client.force_login(manager)
    response = client.post(
        reverse("currencies:rate_add"), {"currency": "EUR", "day": "2099-03-01", "rate": "1"}
    )
    assert response.status_code == 400
    assert "A rate is for a day up to today" in response.content.decode()
    assert not ExchangeRate.objects.exists()


def test_an_import_lists_the_bad_lines(client, manager):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(manager)
    upload = SimpleUploadedFile(
        "rates.csv", b"currency,day,rate\nEUR,2027-03-01,1\nZZZ,2027-03-01,1\n"
    )
    response = client.post(reverse("currencies:rates_import"), {"file": upload})

    assert response.status_code == 400
    assert "Line 3: &#x27;ZZZ&#x27; is not an ISO 4217 currency code." in response.content.decode()
    assert not ExchangeRate.objects.exists()


def test_deleting_a_rate_in_use_says_why(client, manager):
    client.force_login(manager)
    first = rate("EUR", timezone.localdate() - timedelta(days=3), "1.08")
    SpendFactory(currency="EUR", amount=Decimal("5"))
    response = client.post(reverse("currencies:rate_delete", args=[first.pk]), follow=True)

    assert "are converted with this rate" in response.content.decode()
    assert ExchangeRate.objects.filter(pk=first.pk).exists()
