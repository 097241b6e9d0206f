"""A touch that gives a lead its first campaign is a field change: it is in the history."""

import pytest

from leads.models import LeadChange
from tests.api.clients import token_client
from tests.factories import CampaignFactory, LeadFactory

pytestmark = pytest.mark.django_db


def test_the_first_touch_fills_the_source_campaign_with_history(marketer):
    campaign = CampaignFactory()
    lead = LeadFactory(source_campaign=None)
    client = token_client(marketer)

    for _ in range(2):
        response = client.post(
            "/api/v1/touches/",
            {"lead": lead.pk, "kind": "page_visit", "campaign": campaign.pk},
            format="json",
        )
        assert response.status_code == 201, response.content

    lead.refresh_from_db()
    assert lead.source_campaign == campaign
    change = LeadChange.objects.get(lead=lead)
    assert (change.field, change.old_value, change.new_value) == (
        "source_campaign",
        None,
        str(campaign.pk),
    )
    assert (change.source, change.actor) == ("api", marketer)
