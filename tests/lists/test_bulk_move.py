"""Moving stage in bulk: the set-based mover; illegal moves are reported lead by lead."""

import pytest

from funnel.models import StageChange
from funnel.stages import Stage
from leads.models import Lead
from lists.models import BulkAction
from tests import factories

pytestmark = pytest.mark.django_db


def test_legal_moves_happen_and_illegal_ones_are_reported(bulk, manager, moved):
    fresh = factories.LeadFactory.create_batch(2)
    already = moved(factories.LeadFactory(), Stage.PROSPECT)
    customer = moved(
        factories.LeadFactory(first_name="Cy", last_name="Stomer"), Stage.PROSPECT, Stage.CUSTOMER
    )
    before = StageChange.objects.count()

    response = bulk(manager, action="move", to_stage="prospect", leads=[*fresh, already, customer])

    assert response.status_code == 200
    body = response.content.decode()
    assert "2 changed, 1 already so, 1 refused" in body
    assert "Cy Stomer" in body and "A customer cannot move to prospect." in body
    assert set(
        Lead.objects.filter(pk__in=[x.pk for x in fresh]).values_list("stage", flat=True)
    ) == {"prospect"}
    assert Lead.objects.get(pk=customer.pk).stage == Stage.CUSTOMER
    new = StageChange.objects.filter(pk__gt=0).order_by("-pk")[:2]
    assert StageChange.objects.count() == before + 2
    assert {(c.actor_id, c.cause) for c in new} == {(manager.pk, "manual")}
    action = BulkAction.objects.get()
    assert action.report == [
        {"id": customer.pk, "name": "Cy Stomer", "why": "A customer cannot move to prospect."}
    ]


def test_an_unknown_stage_is_a_field_error(bulk, manager):
    lead = factories.LeadFactory()
    response = bulk(manager, action="move", to_stage="emperor", leads=[lead])
    assert response.status_code == 400
    assert Lead.objects.get(pk=lead.pk).stage == Stage.LEAD
