"""An anonymous form naming a known lead past the `lead` stage is kept for review but
earns no points: a stranger cannot raise a prospect's or customer's score. A lead that
marketing still scores gets the points as before; the visitor's answer never differs."""

import pytest
from rest_framework.test import APIClient

from funnel.services import lead_transition
from funnel.stages import Cause
from marketing.models import Touch
from marketing.scoring import scores_recompute
from marketing.selectors import lead_score_explanation
from tests.factories import CampaignFactory, LeadFactory
from tests.marketing.factories import TouchFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/capture/"
PATHS = {
    "prospect": ["prospect"],
    "customer": ["prospect", "customer"],
    "lost": ["prospect", "lost"],
    "disqualified": ["disqualified"],
}


def lead_at(stage: str, email: str):
    lead = LeadFactory(email=email)
    TouchFactory(lead=lead, kind=Touch.Kind.WEBINAR_ATTENDED)
    for step in PATHS.get(stage, []):
        lead_transition(lead_id=lead.pk, to_stage=step, cause=Cause.MANUAL)
    scores_recompute()
    lead.refresh_from_db()
    return lead


def post(campaign, email: str):
    body = {"key": campaign.capture_key, "email": email, "first_name": "Mallory"}
    return APIClient().post(URL, body, format="json")


@pytest.mark.parametrize("stage", ["prospect", "customer", "lost", "disqualified"])
def test_a_form_cannot_raise_the_score_of_a_lead_past_the_lead_stage(stage):
    campaign = CampaignFactory()
    lead = lead_at(stage, "peggy@example.com")
    assert lead.score == 15

    response = post(campaign, "Peggy@example.com")

    assert response.status_code == 201
    lead.refresh_from_db()
    assert (lead.stage, lead.score) == (stage, 15)
    touch = Touch.objects.get(lead=lead, kind=Touch.Kind.FORM_SUBMIT)
    assert touch.scored is False
    assert touch.submitted == {"first_name": "Mallory", "consent": False}
    explained = lead_score_explanation(lead=lead)
    assert explained.total_now == 15
    assert [t.points_then for t in explained.touches] == [0, 15]


def test_a_lead_marketing_still_scores_gets_the_forms_points():
    campaign = CampaignFactory()
    lead = lead_at("lead", "peggy@example.com")

    post(campaign, "peggy@example.com")

    lead.refresh_from_db()
    assert lead.score == 25
    assert Touch.objects.get(lead=lead, kind=Touch.Kind.FORM_SUBMIT).scored is True


def test_the_answer_is_the_same_for_a_customer_and_an_unknown_address():
    campaign = CampaignFactory()
    lead_at("customer", "known@example.com")

    known = post(campaign, "known@example.com")
    unknown = post(campaign, "new@example.com")

    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())


def test_the_lead_page_says_the_form_was_not_scored(client, manager):
    campaign = CampaignFactory()
    customer = lead_at("customer", "peggy@example.com")
    post(campaign, "peggy@example.com")
    client.force_login(manager)

    page = client.get(f"/leads/{customer.pk}/").content.decode()

    assert "Mallory" in page and "Not scored" in page
