"""New lead in the web UI: the lists offer it to roles that may add leads, the form
validates like the API, and a duplicate address links to the existing lead (if visible)."""

import pytest
from django.urls import reverse

from leads.models import Lead
from tests import factories

URL = "/leads/new/"


def test_lists_offer_new_lead_to_roles_that_may_add(login, rep):
    html = login(rep).get(reverse("leads:list")).content.decode()
    assert 'id="lead-new" href="/leads/new/"' in html
    nobody = factories.UserFactory()
    assert 'id="lead-new"' not in login(nobody).get(reverse("leads:list")).content.decode()
    assert login(nobody).get(URL).status_code == 403


def test_a_rep_creates_a_lead_they_own(login, rep):
    campaign = factories.CampaignFactory()
    response = login(rep).post(
        URL,
        {
            "email": " Grace@Example.COM ",
            "first_name": "Grace",
            "company_size": "11-50",
            "source_campaign": campaign.pk,
        },
    )
    lead = Lead.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/leads/{lead.pk}/"
    assert (lead.email, lead.first_name, lead.owner, lead.source_campaign) == (
        "grace@example.com",
        "Grace",
        rep,
        campaign,
    )


@pytest.mark.parametrize(
    "data, field",
    [
        ({"email": "not-an-address"}, "email"),
        ({"email": ""}, "email"),
        ({"email": "a@example.com", "company_size": "huge"}, "company_size"),
        ({"email": "a@example.com", "source_campaign": "999999"}, "source_campaign"),
        ({"email": "a@example.com", "first_name": "x" * 101}, "first_name"),
    ],
)
def test_invalid_input_is_a_400_with_the_fields_error(login, marketer, data, field):
    response = login(marketer).post(URL, data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Lead.objects.exists()


def test_a_duplicate_links_to_the_existing_lead_when_visible(login, marketer):
    existing = factories.LeadFactory(email="grace@example.com", first_name="Grace", last_name="H")
    response = login(marketer).post(URL, {"email": "GRACE@example.com"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "A lead with this email address already exists." in html
    assert f'<a href="/leads/{existing.pk}/">Grace H</a>' in html
    assert Lead.objects.count() == 1


def test_a_duplicate_the_user_may_not_see_is_named_to_no_one(login, rep, other_rep):
    factories.LeadFactory(email="grace@example.com", owner=other_rep)
    response = login(rep).post(URL, {"email": "grace@example.com"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "A lead with this email address already exists." in html
    assert 'id="duplicate-lead"' not in html
