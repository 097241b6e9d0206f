"""A form or multipart body that repeats a key of a single-value field is a 400 naming
the field, and writes nothing (schemathesis found `PATCH leads/{id}/` with
`source_campaign` four times accepted with 200: Django keeps the last value). List
fields still take a repeated key, as HTML forms send them."""

from urllib.parse import urlencode

import pytest

from integrations.webhooks.models import WebhookEndpoint
from leads.models import Lead
from tests.api.clients import token_client
from tests.factories import CampaignFactory, LeadFactory

pytestmark = pytest.mark.django_db
FORM = "application/x-www-form-urlencoded"


def test_a_repeated_single_value_field_in_a_form_patch_is_a_400(manager):
    campaigns = [CampaignFactory() for _ in range(4)]
    lead = LeadFactory(source_campaign=None, company="Kept")
    body = urlencode([("company", "Changed"), *(("source_campaign", c.pk) for c in campaigns)])

    response = token_client(manager).patch(f"/api/v1/leads/{lead.pk}/", body, content_type=FORM)

    assert response.status_code == 400
    assert list(response.json()) == ["source_campaign"]
    assert "4 times" in response.json()["source_campaign"][0]
    lead.refresh_from_db()
    assert (lead.source_campaign_id, lead.company) == (None, "Kept")


def test_a_repeated_field_in_a_multipart_post_is_a_400(manager):

    body = {"email": ["a@example.com", "b@example.com"], "first_name": "Ada"}

    response = token_client(manager).post("/api/v1/leads/", body, format="multipart")

    assert response.status_code == 400
    assert list(response.json()) == ["email"]
    assert not Lead.objects.exists()


def test_a_form_patch_with_each_field_once_still_works(manager):
    campaign = CampaignFactory()
    lead = LeadFactory(source_campaign=None)

    response = token_client(manager).patch(
        f"/api/v1/leads/{lead.pk}/", urlencode({"source_campaign": campaign.pk}), content_type=FORM
    )

    assert response.status_code == 200, response.content
    lead.refresh_from_db()
    assert lead.source_campaign_id == campaign.pk


def test_a_list_field_takes_a_repeated_key(manager):
    body = urlencode(
        [("url", "https://93.184.216.34/hook"), ("events", "lead.created"), ("events", "deal.won")]
    )

    response = token_client(manager).post("/api/v1/webhooks/", body, content_type=FORM)

    assert response.status_code == 201, response.content
    assert WebhookEndpoint.objects.get().events == ["deal.won", "lead.created"]
