"""campaigns/{id}/spend/: the cost ledger through the API."""

from decimal import Decimal

import pytest

from marketing.models import Spend
from tests.factories import CampaignFactory
from tests.marketing.factories import SpendFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    return CampaignFactory()


def url(campaign, suffix=""):
    return f"/api/v1/campaigns/{campaign.pk}/spend/{suffix}"


def test_add_one_line_and_list_newest_first(marketer, marketer_api, campaign):
    SpendFactory(campaign=campaign, day="2025-01-01")
    response = marketer_api.post(
        url(campaign), {"day": "2025-02-01", "amount": "99.90", "note": "Ads"}
    )
    assert response.status_code == 201, response.json()
    line = Spend.objects.get(pk=response.json()["id"])
    assert (line.campaign, line.amount, line.note, line.created_by) == (
        campaign,
        Decimal("99.90"),
        "Ads",
        marketer,
    )
    days = [row["day"] for row in marketer_api.get(url(campaign)).json()["results"]]
    assert days == ["2025-02-01", "2025-01-01"]


def test_add_many_lines_all_or_none(marketer_api, campaign):
    ok = [{"day": f"2025-01-{d:02d}", "amount": "10"} for d in range(1, 11)]
    assert marketer_api.post(url(campaign), ok).status_code == 201
    assert Spend.objects.count() == 10
    bad = [*ok, {"day": "2025-13-01", "amount": "10"}]
    response = marketer_api.post(url(campaign), bad)
    assert response.status_code == 400
    assert response.json() == {"10": {"day": [response.json()["10"]["day"][0]]}}
    assert Spend.objects.count() == 10


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"day": "2025-01-01", "amount": "-1"}, "amount"),
        ({"day": "2025-01-01", "amount": "1e20"}, "amount"),
        ({"day": "2025-01-01", "amount": "1.234"}, "amount"),
        ({"day": "2025-01-01", "amount": "NaN"}, "amount"),
        ({"day": "0001-01-01", "amount": "1"}, "day"),
        ({"day": "yesterday", "amount": "1"}, "day"),
        ({"day": "2025-01-01", "amount": "1", "note": "n" * 301}, "note"),
        ({"day": "2025-01-01", "amount": "1", "note": "a\x00b"}, "note"),
        ({"amount": "1"}, "day"),
    ],
)
def test_bad_lines_are_400(marketer_api, campaign, body, field):
    response = marketer_api.post(url(campaign), body)
    assert response.status_code == 400 and field in response.json()
    assert not Spend.objects.exists()


def test_too_many_or_no_lines(marketer_api, campaign):
    assert marketer_api.post(url(campaign), []).status_code == 400
    many = [{"day": "2025-01-01", "amount": "1"}] * 1001
    assert marketer_api.post(url(campaign), many).status_code == 400


def test_delete_a_line(marketer_api, campaign):
    line = SpendFactory(campaign=campaign)
    other = SpendFactory()
    assert marketer_api.delete(url(campaign, f"{other.pk}/")).status_code == 404
    assert marketer_api.delete(url(campaign, f"{line.pk}/")).status_code == 204
    assert list(Spend.objects.all()) == [other]


def test_unknown_campaign_and_roles(marketer_api, rep_api, campaign):
    assert marketer_api.get("/api/v1/campaigns/999999/spend/").status_code == 404
    assert (
        marketer_api.post(
            "/api/v1/campaigns/999999/spend/", {"day": "2025-01-01", "amount": "1"}
        ).status_code
        == 404
    )
    assert rep_api.get(url(campaign)).status_code == 403
