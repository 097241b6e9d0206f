"""No lost updates: lead reads carry an ETag; PATCH/PUT with a stale If-Match is a 412
with the current lead, and writes nothing."""

import pytest
import time_machine

from leads.models import LeadChange
from tests.api.clients import token_client
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def url(lead) -> str:
    return f"/api/v1/leads/{lead.pk}/"


def test_the_second_of_two_edits_from_the_same_version_is_refused(manager, marketer):
    with time_machine.travel("2026-03-01 09:00Z", tick=False):
        lead = LeadFactory(company="Old", phone="1")
    first, second = token_client(manager), token_client(marketer)
    etag = first.get(url(lead))["ETag"]
    assert second.get(url(lead))["ETag"] == etag

    with time_machine.travel("2026-03-01 10:00Z", tick=False):
        saved = first.patch(url(lead), {"company": "First"}, format="json", HTTP_IF_MATCH=etag)
        stale = second.patch(url(lead), {"phone": "2"}, format="json", HTTP_IF_MATCH=etag)

    assert saved.status_code == 200
    assert saved["ETag"] != etag
    assert stale.status_code == 412
    assert stale.json()["current"]["company"] == "First"
    assert stale["ETag"] == saved["ETag"]
    lead.refresh_from_db()
    assert (lead.company, lead.phone) == ("First", "1")
    # With the current version the second edit goes through.
    again = second.patch(url(lead), {"phone": "2"}, format="json", HTTP_IF_MATCH=stale["ETag"])
    assert again.status_code == 200


def test_put_honours_if_match_too(manager):
    lead = LeadFactory(company="Old")

    response = token_client(manager).put(
        url(lead), {"email": lead.email, "company": "New"}, format="json", HTTP_IF_MATCH='"1"'
    )

    assert response.status_code == 412
    lead.refresh_from_db()
    assert lead.company == "Old"


def test_an_identical_patch_changes_nothing(manager):
    with time_machine.travel("2026-03-01 09:00Z", tick=False):
        lead = LeadFactory(company="Same")
    before = lead.updated_at

    response = token_client(manager).patch(url(lead), {"company": "Same"}, format="json")

    assert response.status_code == 200
    lead.refresh_from_db()
    assert lead.updated_at == before
    assert not LeadChange.objects.exists()
