"""`manage.py funnel_rebuild_milestones`: finds leads whose stage columns disagree with
their history, reports them, and with --fix rewrites them, set-based."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from funnel.management.commands.funnel_rebuild_milestones import (
    milestones_drift,
    milestones_rebuild,
)
from funnel.services import lead_transition
from funnel.stages import Cause, Stage
from leads.models import Lead
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def _customer() -> Lead:
    lead = LeadFactory()
    for stage in (Stage.PROSPECT, Stage.CUSTOMER):
        lead_transition(lead_id=lead.pk, to_stage=stage, cause=Cause.MANUAL)
    return Lead.objects.get(pk=lead.pk)


def _derived(lead: Lead) -> tuple:
    lead.refresh_from_db()
    return (lead.stage, lead.stage_changed_at, lead.became_prospect_at, lead.became_customer_at)


def _corrupt(*leads: Lead) -> None:
    # Simulates drift (a restore, a hand-written UPDATE): the one thing tests may do to
    # these columns outside the stage service.
    Lead.objects.filter(pk__in=[lead.pk for lead in leads]).update(
        stage=Stage.LOST, stage_changed_at=None, became_prospect_at=None, became_customer_at=None
    )


def test_no_drift_after_moves_through_the_service():
    _customer()
    LeadFactory()
    assert milestones_drift()["counts"]["leads"] == 0
    output = StringIO()
    call_command("funnel_rebuild_milestones", stdout=output)
    assert "No drift" in output.getvalue()


def test_reports_drift_without_changing_anything():
    customer, untouched = _customer(), LeadFactory()
    _corrupt(customer, untouched)
    output = StringIO()
    call_command("funnel_rebuild_milestones", stdout=output)
    text = output.getvalue()
    assert "2 leads drifted (stage 2, stage_changed_at 1, became_prospect_at 1, " in text
    assert f"lead {customer.pk} <{customer.email}>: stage lost (history: customer)" in text
    assert "--fix" in text
    assert _derived(customer)[0] == Stage.LOST


def test_fix_rewrites_the_columns_from_history():
    customer, fresh = _customer(), LeadFactory()
    expected = _derived(customer)
    _corrupt(customer, fresh)
    call_command("funnel_rebuild_milestones", "--fix", stdout=StringIO())
    assert _derived(customer) == expected
    assert _derived(fresh) == (Stage.LEAD, None, None, None)
    assert milestones_drift()["counts"]["leads"] == 0


def test_milestones_are_the_first_time_reached():
    lead = LeadFactory()
    for stage in (Stage.PROSPECT, Stage.LOST, Stage.PROSPECT):
        lead_transition(lead_id=lead.pk, to_stage=stage, cause=Cause.MANUAL)
    first_prospect = lead.stage_changes.filter(to_stage=Stage.PROSPECT).earliest("at").at
    Lead.objects.filter(pk=lead.pk).update(became_prospect_at=None)
    assert milestones_rebuild() == 1
    lead.refresh_from_db()
    assert lead.became_prospect_at == first_prospect
    assert lead.stage == Stage.PROSPECT


def test_check_and_fix_take_the_same_queries_for_many_leads():
    def run() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as check:
            milestones_drift()
        with CaptureQueriesContext(connection) as fix:
            milestones_rebuild()
        return len(check), len(fix)

    _corrupt(*[_customer() for _ in range(2)])
    few = run()
    _corrupt(*[_customer() for _ in range(12)])
    assert run() == few
