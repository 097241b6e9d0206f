"""Assigning an owner in bulk: through the one owner service, with field history."""

import pytest

from leads.models import ChangeSource, Lead, LeadChange
from lists.models import BulkAction
from sales.models import OwnerChange
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_manager_reassigns_three_leads_in_one_request(bulk, manager, rep, other_rep):
    leads = factories.LeadFactory.create_batch(3, owner=other_rep)
    response = bulk(manager, action="assign", owner=rep.pk, leads=leads, reason="holiday")

    assert response.status_code == 200
    assert "3 changed" in response.content.decode()
    assert set(Lead.objects.values_list("owner_id", flat=True)) == {rep.pk}
    changes = OwnerChange.objects.filter(lead__in=leads)
    assert {(c.from_owner_id, c.to_owner_id, c.changed_by_id) for c in changes} == {
        (other_rep.pk, rep.pk, manager.pk)
    }
    history = LeadChange.objects.filter(lead__in=leads, field="owner")
    assert history.count() == 3
    assert {(h.old_value, h.new_value, h.source, h.actor_id) for h in history} == {
        (str(other_rep.pk), str(rep.pk), ChangeSource.WEB, manager.pk)
    }
    action = BulkAction.objects.get()
    assert (action.status, action.succeeded, action.refused) == ("done", 3, 0)


def test_assigning_the_current_owner_changes_nothing(bulk, manager, rep):
    lead = factories.LeadFactory(owner=rep)
    bulk(manager, action="assign", owner=rep.pk, leads=[lead])
    assert BulkAction.objects.get().unchanged == 1
    assert not OwnerChange.objects.exists()


def test_back_to_the_pool(bulk, manager, rep):
    lead = factories.LeadFactory(owner=rep)
    bulk(manager, action="assign", owner="none", leads=[lead])
    lead.refresh_from_db()
    assert lead.owner_id is None


def test_a_rep_may_not_assign(bulk, rep, other_rep):
    lead = factories.LeadFactory(owner=rep)
    response = bulk(rep, action="assign", owner=other_rep.pk, leads=[lead])
    assert response.status_code == 400  # the rep's bar has no assign choice at all
    lead.refresh_from_db()
    assert lead.owner_id == rep.pk
    assert not BulkAction.objects.exists()


def test_only_an_active_rep_can_be_given_leads(bulk, manager, marketer):
    lead = factories.LeadFactory()
    response = bulk(manager, action="assign", owner=marketer.pk, leads=[lead])
    assert response.status_code == 400
    assert not BulkAction.objects.exists()
