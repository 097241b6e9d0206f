"""campaigns/: create, update, promotion rules, totals, the capture key, who may use it."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from marketing.models import Campaign
from tests.factories import CampaignFactory, LeadFactory
from tests.marketing.factories import SpendFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/campaigns/"


def payload(**overrides):
    return {
        "name": "Spring webinar",
        "channel": "webinar",
        "status": "planned",
        "starts_on": "2025-03-01",
        "ends_on": "2025-03-31",
        "budget": "2500.00",
        "utm_campaign": "spring-webinar",
        "description": "Our spring series.",
        "target_audience": "Heads of marketing, EU",
    } | overrides


def test_create_and_read_back(marketer, marketer_api):
    response = marketer_api.post(URL, payload(promo_code=" spring20 ", discount_percent="20"))
    assert response.status_code == 201, response.json()
    campaign = Campaign.objects.get()
    assert campaign.owner == marketer  # the creator owns it unless told otherwise
    assert campaign.promo_code == "SPRING20" and campaign.discount_percent == Decimal("20")
    assert len(campaign.capture_key) >= 32

    data = marketer_api.get(f"{URL}{campaign.pk}/").json()
    assert data["spend_total"] == "0.00" and data["leads_count"] == 0
    assert data["capture_key"] == campaign.capture_key
    assert data["target_audience"] == "Heads of marketing, EU"


def test_list_shows_spend_so_far_and_leads_in_a_fixed_number_of_queries(marketer_api):
    campaigns = CampaignFactory.create_batch(3)
    for c in campaigns:
        SpendFactory(campaign=c, amount=Decimal("10.50"))
        SpendFactory(campaign=c, amount=Decimal("4.50"))
        LeadFactory.create_batch(2, source_campaign=c)
    marketer_api.get(URL)
    with CaptureQueriesContext(connection) as captured:
        response = marketer_api.get(URL)
    rows = response.json()["results"]
    assert [(r["spend_total"], r["leads_count"]) for r in rows] == [("15.00", 2)] * 3
    assert len(captured.captured_queries) == 3  # token+user, groups, the page


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"promo_code": "X1"}, "discount_percent"),
        (
            {"promo_code": "X1", "discount_percent": "10", "discount_amount": "5"},
            "discount_percent",
        ),
        ({"discount_amount": "5"}, "promo_code"),
        ({"promo_code": "X1", "discount_percent": "150"}, "discount_percent"),
        ({"promo_code": "X1", "discount_amount": "-5"}, "discount_amount"),
        ({"ends_on": "2025-02-01"}, "ends_on"),
        ({"budget": "-1"}, "budget"),
        ({"budget": "1e30"}, "budget"),
        ({"utm_campaign": "has spaces"}, "utm_campaign"),
        ({"name": ""}, "name"),
        ({"name": "a\x00b"}, "name"),
        ({"channel": "carrier-pigeon"}, "channel"),
        ({"thank_you_url": "javascript:alert(1)"}, "thank_you_url"),
        ({"owner": 10**30}, "owner"),
        ({"description": "x" * 6000}, "description"),
    ],
)
def test_invalid_campaigns_are_400_naming_the_field(marketer_api, overrides, field):
    response = marketer_api.post(URL, payload(**overrides))
    assert response.status_code == 400
    assert field in response.json()
    assert not Campaign.objects.exists()


def test_utm_name_and_promo_code_are_unique(marketer_api):
    CampaignFactory(utm_campaign="spring-webinar", promo_code="SPRING20", discount_amount=5)
    assert "utm_campaign" in marketer_api.post(URL, payload()).json()
    response = marketer_api.post(
        URL, payload(utm_campaign="other", promo_code="spring20", discount_amount="5")
    )
    assert response.status_code == 400 and "promo_code" in response.json()


def test_update_keeps_what_is_not_sent(marketer_api):
    campaign = CampaignFactory(budget=100, description="Keep me")
    response = marketer_api.patch(f"{URL}{campaign.pk}/", {"status": "active", "budget": "150"})
    assert response.status_code == 200
    campaign.refresh_from_db()
    assert (campaign.status, campaign.budget, campaign.description) == ("active", 150, "Keep me")


def test_capture_key_is_read_only_and_regenerated_by_action(marketer_api):
    campaign = CampaignFactory()
    old = campaign.capture_key
    marketer_api.patch(f"{URL}{campaign.pk}/", {"capture_key": "mine"})
    campaign.refresh_from_db()
    assert campaign.capture_key == old
    response = marketer_api.post(f"{URL}{campaign.pk}/regenerate-key/")
    campaign.refresh_from_db()
    assert response.status_code == 200 and campaign.capture_key not in (old, "mine")
    assert response.json()["capture_key"] == campaign.capture_key


def test_filters(marketer_api):
    CampaignFactory(name="Alpha", status="active", channel="email")
    CampaignFactory(name="Beta", status="paused", channel="social")
    names = lambda q: [r["name"] for r in marketer_api.get(URL, q).json()["results"]]  # noqa: E731
    assert names({"status": "paused"}) == ["Beta"]
    assert names({"channel": "email"}) == ["Alpha"]
    assert names({"search": "al"}) == ["Alpha"]
    assert marketer_api.get(URL, {"status": "nope"}).status_code == 400


def test_sales_reps_and_strangers_may_not(rep_api):
    campaign = CampaignFactory()
    assert rep_api.get(URL).status_code == 403
    assert rep_api.post(URL, payload()).status_code == 403
    assert rep_api.get(f"{URL}{campaign.pk}/").status_code == 403
    assert APIClient().get(URL).status_code == 401


def test_managers_may(manager_api):
    assert manager_api.post(URL, payload()).status_code == 201


def test_campaigns_are_not_deleted_through_the_api(marketer_api):
    campaign = CampaignFactory()
    assert marketer_api.delete(f"{URL}{campaign.pk}/").status_code == 405
