"""Anonymous capture never overwrites what a lead has: it fills empty fields, keeps the
submission on its touch for review, and answers the same for known and unknown emails."""

import pytest
from rest_framework.test import APIClient

from leads.models import LeadChange
from marketing.models import Touch
from tests.factories import CampaignFactory, LeadFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/capture/"


def post(data):
    return APIClient().post(URL, data, format="json")


def test_a_known_customer_keeps_their_values_and_gets_empty_ones_filled():
    campaign = CampaignFactory()
    customer = LeadFactory(
        email="peggy@example.com", first_name="Peggy", company="Torres Ltd", phone="", title=""
    )
    submitted = {
        "first_name": "Dmitri",
        "company": "Helios Solar",
        "phone": "555-0100",
        "title": "CEO",
    }

    response = post({"key": campaign.capture_key, "email": "PEGGY@example.com", **submitted})

    assert response.status_code == 201
    customer.refresh_from_db()
    assert (customer.first_name, customer.company) == ("Peggy", "Torres Ltd")
    assert (customer.phone, customer.title) == ("555-0100", "CEO")
    touch = Touch.objects.get(lead=customer)
    assert touch.submitted == {**submitted, "consent": False}
    changes = LeadChange.objects.filter(lead=customer, source="capture")
    assert set(changes.values_list("field", "old_value", "new_value")) == {
        ("phone", "", "555-0100"),
        ("title", "", "CEO"),
        ("source_campaign", None, str(campaign.pk)),
    }


def test_the_answer_is_the_same_for_known_and_unknown_emails():
    campaign = CampaignFactory()
    LeadFactory(email="known@example.com", first_name="Known")

    known = post({"key": campaign.capture_key, "email": "known@example.com", "first_name": "X"})
    unknown = post({"key": campaign.capture_key, "email": "new@example.com", "first_name": "X"})

    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())


def test_the_submission_shows_on_the_lead_page_for_review(client, manager):
    campaign = CampaignFactory()
    lead = LeadFactory(email="peggy@example.com", first_name="Peggy")
    post({"key": campaign.capture_key, "email": "peggy@example.com", "first_name": "Dmitri"})
    client.force_login(manager)

    page = client.get(f"/leads/{lead.pk}/").content.decode()

    assert "Submitted:" in page and "Dmitri" in page
