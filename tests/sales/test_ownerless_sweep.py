"""The sweep behind automatic assignment: a prospect whose assignment task was lost (broker
down, worker killed, database restarted) gets an owner; one a person put in the pool stays."""

import pytest

from funnel.stages import Stage
from leads.models import Lead
from sales import services
from sales.tasks import prospects_assign_ownerless
from tests.sales.factories import lead_in

pytestmark = pytest.mark.django_db


def test_a_prospect_whose_assignment_was_lost_gets_an_owner(rep):
    # Moved inside the test's transaction: the task queued on commit never ran.
    lost = lead_in(Stage.PROSPECT, owner=None)
    assert Lead.objects.get(pk=lost.pk).owner is None

    assert prospects_assign_ownerless() == 1

    assert Lead.objects.get(pk=lost.pk).owner == rep
    assert prospects_assign_ownerless() == 0


def test_a_prospect_put_back_in_the_pool_stays_there(manager, rep):
    pooled = lead_in(Stage.PROSPECT, owner=rep)
    services.lead_reassign(lead_id=pooled.pk, to_owner=None, actor=manager, reason="Pool")

    assert services.prospects_assign_ownerless() == {}
    assert Lead.objects.get(pk=pooled.pk).owner is None


def test_leads_and_owned_prospects_are_left_alone(rep, other_rep):
    lead = lead_in(Stage.LEAD, owner=None)
    owned = lead_in(Stage.PROSPECT, owner=other_rep)

    assert services.prospects_assign_ownerless() == {}
    assert Lead.objects.get(pk=lead.pk).owner is None
    assert Lead.objects.get(pk=owned.pk).owner == other_rep


def test_the_sweep_is_set_based(rep, other_rep, django_assert_num_queries):
    for _ in range(30):
        lead_in(Stage.PROSPECT, owner=None)
    # The ownerless ids (one anti-join), then the assignment: savepoint, lock the rows,
    # reps with their load, one UPDATE per rep, the owner changes, release.
    with django_assert_num_queries(8):
        assigned = services.prospects_assign_ownerless()
    assert len(assigned) == 30
    assert set(assigned.values()) == {rep.pk, other_rep.pk}
