"""metrics/campaigns/: the campaign figures over the API."""

from decimal import Decimal

import pytest

from tests.factories import CampaignFactory, LeadFactory
from tests.marketing.factories import SpendFactory, WonDealFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/metrics/campaigns/"


def test_shape_and_figures(marketer_api):
    campaign = CampaignFactory(name="Expo", promo_code="EXPO", discount_amount=Decimal("50"))
    SpendFactory(campaign=campaign, day="2025-03-10", amount=Decimal("300"))
    lead = LeadFactory(source_campaign=campaign, created_at="2025-03-11T09:00:00Z")
    WonDealFactory(
        lead=lead,
        amount=Decimal("1200"),
        closed_at="2025-03-20T12:00:00Z",
        closed_on="2025-03-20",
        promotion=campaign,
        promo_code="EXPO",
    )
    LeadFactory(created_at="2025-03-12T09:00:00Z")

    data = marketer_api.get(URL, {"since": "2025-03-01", "until": "2025-03-31"}).json()

    assert (data["since"], data["until"], data["currency"]) == ("2025-03-01", "2025-03-31", "USD")
    expo, none = data["campaigns"]
    assert expo["campaign"]["name"] == "Expo" and none["campaign"] is None
    assert (expo["leads"], expo["spend"], expo["cost_per_lead"]) == (1, "300.00", "300.00")
    assert expo["cost_per_prospect"] is None
    assert expo["revenue"] == {
        "first_touch": "1200.00",
        "last_touch": "1200.00",
        "linear": "1200.00",
    }
    assert expo["roi"] == {"first_touch": 3.0, "last_touch": 3.0, "linear": 3.0}
    assert expo["promotion"] == {
        "code": "EXPO",
        "deals": 1,
        "revenue": "1200.00",
        "discount": "50.00",
    }
    assert (none["leads"], none["spend"], none["roi"]["linear"]) == (1, "0.00", None)
    assert data["totals"]["leads"] == 2


def test_narrowing_to_one_campaign_drops_the_none_row(marketer_api):
    campaign = CampaignFactory()
    CampaignFactory()
    data = marketer_api.get(URL, {"campaign": campaign.pk}).json()
    assert [row["campaign"]["id"] for row in data["campaigns"]] == [campaign.pk]


@pytest.mark.parametrize(
    "params",
    [
        {"since": "2025-05-01", "until": "2025-01-01"},
        {"since": "0001-01-01"},
        {"since": "1990-01-01", "until": "2025-01-01"},
        {"since": "yesterday"},
        {"campaign": "1.5"},
        {"channel": "fax"},
    ],
)
def test_bad_windows_are_400(marketer_api, params):
    assert marketer_api.get(URL, params).status_code == 400


def test_reps_may_not(rep_api):
    assert rep_api.get(URL).status_code == 403
