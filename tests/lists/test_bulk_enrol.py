"""Enrolling in a cadence in bulk: prospects are enrolled, the others reported."""

import pytest

from funnel.stages import Stage
from lists.models import BulkAction
from sales.models import Enrolment
from tests import factories
from tests.sales.factories import SequenceFactory

pytestmark = pytest.mark.django_db


def test_prospects_are_enrolled_and_others_refused(bulk, rep, moved):
    cadence = SequenceFactory(owner=rep)
    prospect = moved(factories.LeadFactory(owner=rep), Stage.PROSPECT)
    lead = factories.LeadFactory(owner=rep)
    bulk(rep, action="enrol", sequence=cadence.pk, leads=[prospect, lead])
    assert list(Enrolment.objects.values_list("lead_id", flat=True)) == [prospect.pk]
    action = BulkAction.objects.get()
    assert (action.succeeded, action.refused) == (1, 1)
    assert action.report[0]["id"] == lead.pk
    assert "Only prospects" in action.report[0]["why"]


def test_an_inactive_cadence_is_a_field_error(bulk, rep, moved):
    cadence = SequenceFactory(owner=rep, is_active=False)
    prospect = moved(factories.LeadFactory(owner=rep), Stage.PROSPECT)
    response = bulk(rep, action="enrol", sequence=cadence.pk, leads=[prospect])
    assert response.status_code == 400
    assert not Enrolment.objects.exists()
