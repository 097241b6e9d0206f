"""ROI is (revenue - spend) / spend exactly, as docs/architecture.md defines it; pages round
it to show it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import CampaignFactory, LeadFactory
from tests.marketing.factories import SpendFactory, WonDealFactory

pytestmark = pytest.mark.django_db
WINDOW = {"since": "2025-03-01", "until": "2025-03-31"}


@pytest.fixture
def campaign():
    campaign = CampaignFactory(name="Expo")
    SpendFactory(campaign=campaign, day="2025-03-10", amount=Decimal("300"))
    lead = LeadFactory(source_campaign=campaign, created_at="2025-03-11T09:00:00Z")
    WonDealFactory(
        lead=lead, amount=Decimal("400"), closed_at="2025-03-20T12:00:00Z", closed_on="2025-03-20"
    )
    return campaign


def test_the_api_gives_roi_unrounded(marketer_api, campaign):
    data = marketer_api.get("/api/v1/metrics/campaigns/", WINDOW).json()

    roi = next(row for row in data["campaigns"] if row["campaign"])["roi"]
    # 100 / 300: a third, not 0.3333.
    assert roi == {"first_touch": 1 / 3, "last_touch": 1 / 3, "linear": 1 / 3}


def test_the_page_rounds_it_for_display(client, marketer, campaign):
    client.force_login(marketer)
    page = client.get(reverse("marketing:campaign-detail", args=[campaign.pk]), WINDOW)
    assert "33.3 %" in page.content.decode()
