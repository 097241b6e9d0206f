"""touches/: record engagement in bulk from other tools."""

from datetime import UTC, datetime

import pytest

from leads.models import Lead
from marketing.models import Touch
from tests.factories import CampaignFactory, LeadFactory
from tests.marketing.factories import TouchFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/touches/"


def test_bulk_by_id_and_email_resolving_campaigns_by_utm_name(marketer_api):
    campaign = CampaignFactory(utm_campaign="newsletter-may")
    ada = LeadFactory(email="ada@example.com")
    bob = LeadFactory()
    body = [
        {
            "email": "ADA@example.com",
            "kind": "email_open",
            "utm_campaign": "Newsletter-May",
            "at": "2025-05-02T10:00:00Z",
        },
        {
            "lead": bob.pk,
            "kind": "email_click",
            "campaign": campaign.pk,
            "utm_source": "esp",
            "at": "2025-05-03T10:00:00Z",
        },
        {"lead": bob.pk, "kind": "page_visit"},
    ]
    response = marketer_api.post(URL, body)

    assert response.status_code == 201, response.json()
    assert len(response.json()) == 3
    ada_touch = Touch.objects.get(lead=ada)
    assert (ada_touch.kind, ada_touch.campaign, ada_touch.at) == (
        "email_open",
        campaign,
        datetime(2025, 5, 2, 10, tzinfo=UTC),
    )
    assert Touch.objects.get(lead=bob, kind="email_click").utm_source == "esp"
    assert Touch.objects.get(lead=bob, kind="page_visit").campaign is None
    # First touch with a campaign sets the source; scores include the new points.
    assert Lead.objects.get(pk=ada.pk).source_campaign == campaign
    assert Lead.objects.get(pk=bob.pk).score > 0


def test_source_campaign_is_the_earliest_touch_and_never_overwritten(marketer_api):
    early, late, other = CampaignFactory.create_batch(3)
    lead = LeadFactory()
    marketer_api.post(
        URL,
        [
            {
                "lead": lead.pk,
                "kind": "page_visit",
                "campaign": late.pk,
                "at": "2025-05-02T00:00:00Z",
            },
            {
                "lead": lead.pk,
                "kind": "page_visit",
                "campaign": early.pk,
                "at": "2025-05-01T00:00:00Z",
            },
        ],
    )
    assert Lead.objects.get(pk=lead.pk).source_campaign == early
    marketer_api.post(
        URL,
        {"lead": lead.pk, "kind": "page_visit", "campaign": other.pk, "at": "2024-01-01T00:00:00Z"},
    )
    assert Lead.objects.get(pk=lead.pk).source_campaign == early


def test_one_bad_item_refuses_the_whole_batch_with_errors_per_item(marketer_api):
    lead = LeadFactory()
    body = [
        {"lead": lead.pk, "kind": "page_visit"},
        {"email": "nobody@example.com", "kind": "page_visit"},
        {"lead": 10**12, "kind": "page_visit"},
        {"lead": lead.pk, "kind": "telepathy"},
        {"lead": lead.pk, "email": "x@example.com", "kind": "page_visit"},
        {"lead": lead.pk, "kind": "page_visit", "campaign": 10**12},
        {"lead": lead.pk, "kind": "page_visit", "utm_term": "t" * 201},
        {"lead": lead.pk, "kind": "page_visit", "at": "2999-01-01T00:00:00Z"},
    ]
    response = marketer_api.post(URL, body)
    assert response.status_code == 400
    errors = response.json()  # failing items only, by index
    assert set(errors) == {"1", "2", "3", "4", "5", "6", "7"}
    assert errors["7"] == {"at": ["A touch cannot be more than a day in the future."]}
    assert "email" in errors["1"] and "lead" in errors["2"] and "kind" in errors["3"]
    assert "lead" in errors["4"] and "campaign" in errors["5"] and "utm_term" in errors["6"]
    assert not Touch.objects.exists()


@pytest.mark.parametrize("body", [[], "text", [1, 2], {"lead": "1.5", "kind": "page_visit"}])
def test_malformed_bodies_are_400(marketer_api, body):
    assert marketer_api.post(URL, body).status_code == 400


def test_batch_size_is_capped(marketer_api):
    lead = LeadFactory()
    response = marketer_api.post(URL, [{"lead": lead.pk, "kind": "page_visit"}] * 1001)
    assert response.status_code == 400 and not Touch.objects.exists()


def test_list_filters(marketer_api):
    campaign = CampaignFactory()
    lead = LeadFactory()
    TouchFactory(lead=lead, campaign=campaign, kind="email_open")
    TouchFactory(kind="page_visit")
    rows = marketer_api.get(URL, {"campaign": campaign.pk}).json()["results"]
    assert [(r["lead"], r["kind"]) for r in rows] == [(lead.pk, "email_open")]
    assert len(marketer_api.get(URL, {"kind": "page_visit"}).json()["results"]) == 1
    assert marketer_api.get(URL, {"lead": "abc"}).status_code == 400


def test_reps_may_not(rep_api):
    assert rep_api.get(URL).status_code == 403
    assert rep_api.post(URL, {"lead": LeadFactory().pk, "kind": "page_visit"}).status_code == 403
