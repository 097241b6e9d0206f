"""The public capture endpoint: upsert by email, first touch, consent, bad input."""

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from leads.models import Lead
from marketing.models import Touch
from tests.factories import CampaignFactory, LeadFactory
from tests.marketing.factories import TouchFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/capture/"


@pytest.fixture
def campaign():
    return CampaignFactory(utm_campaign="spring-webinar")


def post(data, **kwargs):
    return APIClient().post(URL, data, format=kwargs.pop("format", "json"), **kwargs)


def test_new_person_becomes_a_lead_of_the_campaign_with_a_form_submit_touch(campaign):
    before = timezone.now()
    response = post(
        {
            "key": campaign.capture_key,
            "email": "  Ada@Example.COM ",
            "first_name": "Ada",
            "company": "Analytical Engines",
            "consent": True,
            "utm_source": "newsletter",
            "utm_medium": "email",
        }
    )

    assert response.status_code == 201, response.content
    assert response.json() == {"status": "ok"}
    lead = Lead.objects.get()
    assert (lead.email, lead.first_name, lead.company) == (
        "ada@example.com",
        "Ada",
        "Analytical Engines",
    )
    assert lead.source_campaign == campaign
    assert lead.marketing_consent is True
    assert before <= lead.marketing_consent_at <= timezone.now()
    touch = Touch.objects.get()
    assert (touch.lead, touch.campaign, touch.kind) == (lead, campaign, "form_submit")
    assert (touch.utm_source, touch.utm_medium, touch.utm_campaign) == (
        "newsletter",
        "email",
        "spring-webinar",
    )
    # The touch's points count at once (form submit: 10 points by default).
    assert lead.score == 10


def test_second_capture_updates_the_same_lead_and_keeps_the_first_campaign(campaign):
    other = CampaignFactory()
    post({"key": campaign.capture_key, "email": "ada@example.com", "first_name": "Ada"})
    response = post({"key": other.capture_key, "email": "ADA@example.com", "company": "AE"})

    assert response.status_code == 201
    lead = Lead.objects.get()
    assert (lead.first_name, lead.company) == ("Ada", "AE")  # blank fields kept
    assert lead.source_campaign == campaign
    assert list(Touch.objects.order_by("at").values_list("campaign", flat=True)) == [
        campaign.pk,
        other.pk,
    ]


def test_known_lead_without_source_gets_the_campaign_and_consent_is_not_withdrawn(campaign):
    lead = LeadFactory(email="grace@example.com", marketing_consent=True)
    lead.marketing_consent_at = consent_at = timezone.now()
    lead.save()
    TouchFactory(lead=lead)  # an earlier page visit with no campaign

    post({"key": campaign.capture_key, "email": "grace@example.com", "consent": False})

    lead.refresh_from_db()
    assert lead.source_campaign == campaign
    assert lead.marketing_consent is True and lead.marketing_consent_at == consent_at
    assert Lead.objects.count() == 1


def test_html_form_post_is_redirected_to_the_thank_you_page(campaign):
    response = Client().post(
        URL, {"key": campaign.capture_key, "email": "x@example.com", "consent": "true"}
    )
    assert response.status_code == 303
    assert response["Location"] == "/marketing/thanks/"
    assert Lead.objects.get().marketing_consent is True

    campaign.thank_you_url = "https://example.com/thanks"
    campaign.save()
    response = Client().post(URL, {"key": campaign.capture_key, "email": "y@example.com"})
    assert (response.status_code, response["Location"]) == (303, "https://example.com/thanks")


@pytest.mark.parametrize("key", ["wrong", "", None, 42, ["x"]])
def test_wrong_key_is_404_and_writes_nothing(campaign, key):
    response = post({"key": key, "email": "ada@example.com"})
    assert response.status_code == 404
    assert not Lead.objects.exists() and not Touch.objects.exists()


def test_old_key_stops_working_once_regenerated(campaign, marketer_api):
    old = campaign.capture_key
    marketer_api.post(f"/api/v1/campaigns/{campaign.pk}/regenerate-key/")
    assert post({"key": old, "email": "a@example.com"}).status_code == 404
    campaign.refresh_from_db()
    assert post({"key": campaign.capture_key, "email": "a@example.com"}).status_code == 201


@pytest.mark.parametrize(
    ("email", "message"),
    [
        (None, "This field is required."),
        ("", "This field may not be blank."),
        ("not-an-email", "Enter a valid email address."),
        ("a@b@example.com", "Enter a valid email address."),
        ("x" * 300 + "@example.com", "Ensure this field has no more than 254 characters."),
    ],
)
def test_missing_or_invalid_email_is_400_naming_the_field(campaign, email, message):
    data = {"key": campaign.capture_key, "first_name": "Ada"}
    if email is not None:
        data["email"] = email
    response = post(data)
    assert response.status_code == 400
    assert response.json()["email"] == [message]
    assert not Lead.objects.exists() and not Touch.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"first_name": "x" * 101},
        {"first_name": "a\x00b"},
        {"company_size": "huge"},
        {"consent": "maybe"},
        {"utm_source": {"nested": "object"}},
        {"utm_term": "t" * 5000},
    ],
)
def test_bad_values_are_400_never_500(campaign, body):
    response = post({"key": campaign.capture_key, "email": "ada@example.com", **body})
    assert response.status_code == 400
    assert set(response.json()) == set(body)
    assert not Lead.objects.exists()


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "null", "{", "12"])
def test_body_that_is_not_an_object_is_refused(campaign, body):
    response = APIClient().post(URL, body, content_type="application/json")
    assert response.status_code in (400, 404)
    assert not Lead.objects.exists()


def test_honeypot_answers_like_success_and_writes_nothing(campaign):
    response = post({"key": campaign.capture_key, "email": "bot@example.com", "website": "x"})
    assert response.status_code == 201
    assert not Lead.objects.exists() and not Touch.objects.exists()


def test_response_does_not_say_whether_the_address_was_known(campaign):
    LeadFactory(email="known@example.com")
    known = post({"key": campaign.capture_key, "email": "known@example.com"})
    new = post({"key": campaign.capture_key, "email": "new@example.com"})
    assert (known.status_code, known.json()) == (new.status_code, new.json())


def test_no_session_or_csrf_needed(campaign, marketer, client):
    # A logged-in browser posting a public form must not trip over CSRF either.
    client.force_login(marketer)
    client.handler.enforce_csrf_checks = True
    response = client.post(URL, {"key": campaign.capture_key, "email": "a@example.com"})
    assert response.status_code == 303
