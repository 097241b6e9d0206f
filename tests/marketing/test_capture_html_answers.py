"""A website visitor posting the capture form gets pages: a refused form is an HTML page
naming what to fix with a way back, never a JSON body. Clients asking for JSON get JSON."""

import pytest
from django.test import Client

from leads.models import Lead
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/capture/"
BROWSER = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.fixture
def campaign():
    return CampaignFactory()


def test_a_refused_browser_form_is_an_html_page_with_the_error_and_a_way_back(campaign):
    response = Client().post(
        URL,
        {"key": campaign.capture_key, "email": "not-an-email"},
        HTTP_REFERER="https://example.com/signup",
        **BROWSER,
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "Enter a valid email address." in html
    assert '{"email"' not in html
    assert 'href="https://example.com/signup"' in html
    assert not Lead.objects.exists()


def test_an_unknown_form_key_is_an_html_404_for_a_browser():
    response = Client().post(URL, {"key": "nope", "email": "a@example.com"}, **BROWSER)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_form_post_asking_for_json_still_gets_json(campaign):
    response = Client().post(
        URL, {"key": campaign.capture_key, "email": "bad"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert response.json()["email"] == ["Enter a valid email address."]


def test_the_campaign_page_has_a_copy_button_for_the_snippet(client, marketer, campaign):
    client.force_login(marketer)
    html = client.get(f"/marketing/campaigns/{campaign.pk}/").content.decode()
    assert 'data-copy="snippet"' in html and 'id="snippet"' in html
