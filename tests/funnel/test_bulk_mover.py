"""The set-based mover used by tasks."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from funnel.models import StageChange
from funnel.services import lead_transition, leads_move_bulk
from funnel.stages import Cause
from leads.models import Lead
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_moves_only_leads_allowed_to_enter_the_stage():
    movable = LeadFactory.create_batch(3, score=80)
    lost = LeadFactory(score=80)
    lead_transition(lead_id=lost.pk, to_stage="prospect", cause=Cause.MANUAL)
    lead_transition(lead_id=lost.pk, to_stage="lost", cause=Cause.MANUAL)
    customer = LeadFactory(score=80)
    lead_transition(lead_id=customer.pk, to_stage="prospect", cause=Cause.MANUAL)
    lead_transition(lead_id=customer.pk, to_stage="customer", cause=Cause.MANUAL)
    disqualified = LeadFactory(score=80)
    lead_transition(lead_id=disqualified.pk, to_stage="disqualified", cause=Cause.MANUAL)
    low = LeadFactory(score=10)
    history_before = StageChange.objects.count()

    moved = leads_move_bulk(
        candidates=Lead.objects.filter(score__gte=50),
        to_stage="prospect",
        cause=Cause.RULE,
        reason="score",
    )

    assert sorted(moved) == sorted([lead.pk for lead in movable] + [lost.pk])
    assert StageChange.objects.count() == history_before + 4
    for lead in [*movable, lost]:
        lead.refresh_from_db()
        last = StageChange.objects.filter(lead=lead).last()
        assert lead.stage == "prospect" == last.to_stage
        assert (last.cause, last.reason, last.at) == ("rule", "score", lead.stage_changed_at)
        assert lead.became_prospect_at is not None
    assert Lead.objects.get(pk=customer.pk).stage == "customer"
    assert Lead.objects.get(pk=disqualified.pk).stage == "disqualified"
    assert Lead.objects.get(pk=low.pk).stage == "lead"


def test_second_run_moves_nothing():
    LeadFactory.create_batch(5, score=90)
    first = leads_move_bulk(candidates=Lead.objects.all(), to_stage="prospect", cause=Cause.RULE)
    second = leads_move_bulk(candidates=Lead.objects.all(), to_stage="prospect", cause=Cause.RULE)
    assert len(first) == 5
    assert second == []
    assert StageChange.objects.count() == 5


def test_history_records_when_each_lead_entered_its_old_stage():
    fresh = LeadFactory()
    recycled = LeadFactory()
    lead_transition(lead_id=recycled.pk, to_stage="prospect", cause=Cause.MANUAL)
    recycled = lead_transition(lead_id=recycled.pk, to_stage="lead", cause=Cause.MANUAL)

    leads_move_bulk(candidates=Lead.objects.all(), to_stage="disqualified", cause=Cause.TASK)

    entered = dict(
        StageChange.objects.filter(to_stage="disqualified").values_list(
            "lead_id", "from_stage_entered_at"
        )
    )
    assert entered == {fresh.pk: fresh.created_at, recycled.pk: recycled.stage_changed_at}


def test_a_batch_is_a_constant_number_of_queries():
    def queries_to_move(n: int) -> list[str]:
        LeadFactory.create_batch(n, score=90)
        with CaptureQueriesContext(connection) as ctx:
            moved = leads_move_bulk(
                candidates=Lead.objects.filter(stage="lead"),
                to_stage="prospect",
                cause=Cause.RULE,
                batch_size=1000,
            )
        assert len(moved) == n
        return [q["sql"].split(" ")[0] for q in ctx.captured_queries]

    few, many = queries_to_move(3), queries_to_move(300)
    # Lock+select, INSERT ... SELECT into history, UPDATE, the follow-ups' set-based
    # statements and the savepoint bookkeeping: the same whatever the batch size.
    assert few == many
    assert few.count("INSERT") >= 1 and few.count("UPDATE") == 1
    assert len(few) <= 8


def test_batches_cover_every_eligible_lead():
    LeadFactory.create_batch(25, score=90)
    moved = leads_move_bulk(
        candidates=Lead.objects.all(), to_stage="prospect", cause=Cause.RULE, batch_size=10
    )
    assert len(moved) == len(set(moved)) == 25
    assert StageChange.objects.count() == 25


def test_followups_are_queued_once_per_batch(django_capture_on_commit_callbacks):
    LeadFactory.create_batch(7, score=90)
    with django_capture_on_commit_callbacks() as callbacks:
        leads_move_bulk(
            candidates=Lead.objects.all(), to_stage="prospect", cause=Cause.RULE, batch_size=5
        )
    assert len(callbacks) == 2
