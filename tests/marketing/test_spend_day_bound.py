"""A spend day is at most SPEND_DAYS_AHEAD days after the site's today, however it comes in."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from marketing.models import Spend
from marketing.services import SPEND_DAYS_AHEAD, SpendLine, spend_record
from marketing.spend_csv import SpendFileInvalid, spend_import_csv
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db
# Site time zone is UTC in tests: today is 2026-12-04, the last day allowed 2027-12-05.
LAST_ALLOWED = "2027-12-05"
FIRST_REFUSED = "2027-12-06"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-12-04 12:00:00+00:00", tick=False):
        yield


@pytest.fixture
def campaign():
    return CampaignFactory()


def test_the_bound_is_a_year_ahead():
    assert SPEND_DAYS_AHEAD == 366


@pytest.mark.parametrize("day", [FIRST_REFUSED, "2999-12-01"])
def test_api_refuses_a_day_too_far_ahead(marketer_api, campaign, day):
    response = marketer_api.post(
        f"/api/v1/campaigns/{campaign.pk}/spend/", {"day": day, "amount": "1"}
    )
    assert response.status_code == 400
    assert "on or before 2027-12-05" in response.json()["day"][0]
    assert not Spend.objects.exists()


def test_api_accepts_the_last_day(marketer_api, campaign):
    response = marketer_api.post(
        f"/api/v1/campaigns/{campaign.pk}/spend/", {"day": LAST_ALLOWED, "amount": "1"}
    )
    assert response.status_code == 201, response.json()


def test_form_refuses_a_day_too_far_ahead(client, marketer, campaign):
    client.force_login(marketer)
    url = reverse("marketing:spend-add", args=[campaign.pk])
    response = client.post(url, {"day": "2999-12-01", "amount": "1"}, follow=True)
    assert "on or before 2027-12-05" in response.content.decode()
    client.post(url, {"day": LAST_ALLOWED, "amount": "1"})
    assert [str(day) for day in Spend.objects.values_list("day", flat=True)] == [LAST_ALLOWED]


def test_csv_refuses_a_day_too_far_ahead_with_its_line(campaign):
    text = f"day,amount\n{LAST_ALLOWED},1\n2999-12-01,2\n".encode()
    with pytest.raises(SpendFileInvalid) as raised:
        spend_import_csv(campaign=campaign, upload=SimpleUploadedFile("s.csv", text))
    assert raised.value.messages[0].startswith("Line 3: day 2999-12-01: Enter a day at most")
    assert not Spend.objects.exists()


def test_the_service_refuses_it_too(campaign):
    with pytest.raises(ValidationError) as raised:
        spend_record(campaign=campaign, lines=[SpendLine(date(2999, 12, 1), 1)])
    assert "day" in raised.value.message_dict
