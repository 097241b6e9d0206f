"""The campaign pages: list, create/edit, the campaign page, spend, results."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from marketing.models import Campaign, Spend
from tests.factories import CampaignFactory, LeadFactory
from tests.marketing.factories import SpendFactory, TouchFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(client, marketer):
    client.force_login(marketer)
    return client


def test_list_shows_budget_spend_and_leads(browser):
    campaign = CampaignFactory(name="Spring webinar", budget=Decimal("1000"))
    SpendFactory(campaign=campaign, amount=Decimal("250.50"))
    LeadFactory.create_batch(3, source_campaign=campaign)
    page = browser.get(reverse("marketing:campaign-list")).content.decode()
    assert "Spring webinar" in page and "1,000.00" in page and "250.50" in page
    assert "25 % of budget" in page
    assert browser.get(reverse("marketing:campaign-list"), {"status": "bogus"}).status_code == 200


def test_create_and_edit(browser, marketer):
    response = browser.post(
        reverse("marketing:campaign-create"),
        {
            "name": "Expo",
            "channel": "event",
            "status": "active",
            "budget": "9000",
            "utm_campaign": "expo-2025",
            "promo_code": "expo10",
            "discount_percent": "10",
        },
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("marketing:campaign-detail", args=[campaign.pk])
    assert (campaign.owner, campaign.promo_code) == (marketer, "EXPO10")

    response = browser.post(
        reverse("marketing:campaign-edit", args=[campaign.pk]),
        {
            "name": "Expo",
            "channel": "event",
            "status": "completed",
            "budget": "9000",
            "utm_campaign": "expo-2025",
            "promo_code": "EXPO10",
            "discount_percent": "10",
            "discount_amount": "5",
        },
    )
    assert response.status_code == 400
    assert "percent or an amount" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == "active"


def test_campaign_page_shows_results_spend_leads_and_the_form_snippet(browser):
    campaign = CampaignFactory(budget=Decimal("400"), starts_on="2025-01-01", ends_on="2025-12-31")
    SpendFactory(campaign=campaign, day="2025-02-01", amount=Decimal("100"))
    lead = LeadFactory(
        source_campaign=campaign, created_at="2025-02-02T10:00:00Z", first_name="Ada"
    )
    TouchFactory(lead=lead, campaign=campaign, kind="email_click")
    page = browser.get(reverse("marketing:campaign-detail", args=[campaign.pk])).content.decode()
    assert "Results 1 Jan 2025 \u2013 31 Dec 2025" in page
    assert "cost per lead 100.00" in page
    assert "25 % of budget" in page
    assert "Ada" in page and "Email click" in page
    assert f'name="key" value="{campaign.capture_key}"' in page.replace("&quot;", '"')
    assert "/api/v1/capture/" in page


def test_spend_add_upload_and_delete(browser):
    campaign = CampaignFactory()
    url = reverse("marketing:spend-add", args=[campaign.pk])
    assert (
        browser.post(url, {"day": "2025-03-01", "amount": "12.34", "note": "Ads"}).status_code
        == 302
    )
    assert Spend.objects.get().amount == Decimal("12.34")
    browser.post(url, {"day": "2025-03-01", "amount": "-5"})
    assert Spend.objects.count() == 1

    upload = SimpleUploadedFile("spend.csv", b"date;amount;note\n2025-03-02;twelve;x\n")
    response = browser.post(
        reverse("marketing:spend-upload", args=[campaign.pk]), {"file": upload}, follow=True
    )
    assert "Nothing was recorded" in response.content.decode()
    upload = SimpleUploadedFile(
        "spend.csv", b'day,amount,note\n2025-03-02,"1,234.00",Invoice 7\n2025-03-03,5,\n'
    )
    browser.post(reverse("marketing:spend-upload", args=[campaign.pk]), {"file": upload})
    assert sorted(Spend.objects.values_list("amount", flat=True)) == [
        Decimal("5"),
        Decimal("12.34"),
        Decimal("1234.00"),
    ]

    line = Spend.objects.get(amount=5)
    browser.post(reverse("marketing:spend-delete", args=[campaign.pk, line.pk]))
    assert not Spend.objects.filter(pk=line.pk).exists()


def test_regenerate_key(browser):
    campaign = CampaignFactory()
    old = campaign.capture_key
    browser.post(reverse("marketing:campaign-regenerate-key", args=[campaign.pk]))
    campaign.refresh_from_db()
    assert campaign.capture_key != old


def test_results_page_has_every_campaign_and_the_none_row(browser):
    CampaignFactory(name="Alpha")
    CampaignFactory(name="Beta")
    page = browser.get(reverse("marketing:results"), {"preset": "last_30_days"}).content.decode()
    assert "Alpha" in page and "Beta" in page and "No campaign" in page
    bad = browser.get(reverse("marketing:results"), {"since": "2025-05-01", "until": "2025-01-01"})
    assert "ends before it starts" in bad.content.decode()


@pytest.mark.parametrize(
    "name", ["campaign-list", "campaign-create", "results", "scoring", "import-list"]
)
def test_sales_reps_get_403_and_strangers_log_in(client, rep, name):
    assert client.get(reverse(f"marketing:{name}")).status_code == 302
    client.force_login(rep)
    assert client.get(reverse(f"marketing:{name}")).status_code == 403


def test_navigation_has_campaigns_for_marketing_only(client, marketer, rep):
    client.force_login(marketer)
    assert 'href="/marketing/"' in client.get(reverse("marketing:results")).content.decode()
    client.force_login(rep)
    assert 'href="/marketing/"' not in client.get(reverse("leads:list")).content.decode()


def test_thank_you_page_is_public(client):
    assert client.get(reverse("marketing:capture-thanks")).status_code == 200
