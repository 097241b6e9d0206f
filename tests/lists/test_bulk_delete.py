"""Deleting in bulk: managers only, after a confirmation that says how many."""

import pytest

from leads.models import Lead
from lists.models import BulkAction
from tests import factories
from tests.sales.factories import DealFactory

pytestmark = pytest.mark.django_db


def test_the_first_post_only_asks_for_confirmation(bulk, manager):
    leads = factories.LeadFactory.create_batch(2)
    response = bulk(manager, action="delete", leads=leads)
    assert response.status_code == 200
    assert "Delete 2 leads?" in response.content.decode()
    assert Lead.objects.count() == 2
    assert not BulkAction.objects.exists()


def test_confirmed_delete_removes_only_the_selection(bulk, manager):
    chosen = factories.LeadFactory.create_batch(2)
    DealFactory(lead=chosen[0])
    kept = factories.LeadFactory()
    response = bulk(manager, action="delete", leads=chosen, confirm="on")
    assert response.status_code == 200
    assert list(Lead.objects.values_list("pk", flat=True)) == [kept.pk]
    action = BulkAction.objects.get()
    assert (action.status, action.succeeded, action.refused) == ("done", 2, 0)


@pytest.mark.parametrize("role", ["rep", "marketer"])
def test_only_managers_delete(bulk, request, role):
    user = request.getfixturevalue(role)
    lead = factories.LeadFactory(owner=user if role == "rep" else None)
    response = bulk(user, action="delete", leads=[lead], confirm="on")
    assert response.status_code in (400, 403)
    assert Lead.objects.filter(pk=lead.pk).exists()
