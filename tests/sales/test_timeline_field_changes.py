"""Field history shows on the lead's timeline: in the API and on the lead page."""

import pytest
import time_machine

from leads.merge_policy import WriteOrigin
from leads.models import ChangeSource
from leads.services import lead_update
from tests.api.clients import token_client
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def edited(manager):
    with time_machine.travel("2026-03-01 09:00Z", tick=False):
        lead = LeadFactory(company="Old Co")
    with time_machine.travel("2026-03-02 09:00Z", tick=False):
        lead_update(
            lead=lead,
            data={"company": "New Co"},
            origin=WriteOrigin(source=ChangeSource.API, actor=manager),
        )
    return lead


def test_the_api_timeline_lists_the_change(edited, manager):
    body = token_client(manager).get(f"/api/v1/leads/{edited.pk}/timeline/").json()

    entry = next(e for e in body["results"] if e["kind"] == "field_change")
    assert entry["summary"] == "company: Old Co → New Co"
    assert entry["actor"] == manager.username
    assert entry["data"]["source"] == "api"


def test_the_lead_page_shows_old_and_new(edited, client, manager):
    client.force_login(manager)

    page = client.get(f"/leads/{edited.pk}/").content.decode()

    assert "Old Co" in page and "New Co" in page and "api" in page
