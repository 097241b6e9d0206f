"""Owner changes land in the lead's field history, from where they came (issue 13), and
the timeline tells them once (as the owner change, not again as a field change)."""

import pytest

from leads.models import ChangeSource, LeadChange
from sales.selectors.timeline import lead_timeline
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_a_reassignment_through_the_api_is_in_field_history(api, manager, rep):
    lead = LeadFactory(owner=None)
    response = api(manager).post(f"/api/v1/leads/{lead.pk}/owner/", {"owner": rep.pk})
    assert response.status_code == 200
    change = LeadChange.objects.get(lead=lead)
    assert (change.field, change.old_value, change.new_value) == ("owner", None, str(rep.pk))
    assert (change.source, change.actor_id) == (ChangeSource.API, manager.pk)
    kinds = [entry.kind for entry in lead_timeline(user=manager, lead=lead).entries]
    assert kinds.count("owner_change") == 1 and "field_change" not in kinds
