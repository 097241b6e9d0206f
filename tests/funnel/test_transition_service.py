"""The one writer, one lead at a time: every move, its history row, its milestones."""

from datetime import timedelta

import pytest
from django.utils import timezone

from funnel.models import ImmutableRecord, StageChange
from funnel.services import lead_transition
from funnel.stages import Cause, IllegalTransition, Stage, UnknownStage
from tests.factories import LeadFactory
from tests.funnel.test_stage_graph import ALL_PAIRS, EXPECTED_MOVES

pytestmark = pytest.mark.django_db

# The shortest legal path from a new lead to each stage.
PATH_TO = {
    "lead": [],
    "prospect": ["prospect"],
    "customer": ["prospect", "customer"],
    "disqualified": ["disqualified"],
    "lost": ["prospect", "lost"],
}


def lead_in(stage: str):
    lead = LeadFactory()
    for step in PATH_TO[stage]:
        lead = lead_transition(lead_id=lead.pk, to_stage=step, cause=Cause.MANUAL)
    return lead


@pytest.mark.parametrize(("from_stage", "to_stage"), sorted(EXPECTED_MOVES))
def test_allowed_move_writes_lead_and_one_history_row(from_stage, to_stage, manager):
    lead = lead_in(from_stage)
    before = StageChange.objects.filter(lead=lead).count()
    entered = lead.stage_changed_at or lead.created_at

    moved = lead_transition(
        lead_id=lead.pk, to_stage=to_stage, cause=Cause.API, actor=manager, reason="why"
    )

    moved.refresh_from_db()
    assert moved.stage == to_stage
    changes = list(StageChange.objects.filter(lead=lead))
    assert len(changes) == before + 1
    last = changes[-1]
    assert (last.from_stage, last.to_stage, last.cause, last.reason, last.actor) == (
        from_stage,
        to_stage,
        "api",
        "why",
        manager,
    )
    assert last.from_stage_entered_at == entered
    assert moved.stage_changed_at == last.at


@pytest.mark.parametrize(
    ("from_stage", "to_stage"), [p for p in ALL_PAIRS if p not in EXPECTED_MOVES]
)
def test_forbidden_move_raises_and_writes_nothing(from_stage, to_stage):
    lead = lead_in(from_stage)
    history = list(StageChange.objects.filter(lead=lead).values_list("pk", flat=True))
    stamp = lead.stage_changed_at

    with pytest.raises(IllegalTransition):
        lead_transition(lead_id=lead.pk, to_stage=to_stage, cause=Cause.MANUAL)

    lead.refresh_from_db()
    assert lead.stage == from_stage
    assert lead.stage_changed_at == stamp
    assert list(StageChange.objects.filter(lead=lead).values_list("pk", flat=True)) == history


@pytest.mark.parametrize("stage", [s.value for s in Stage])
def test_move_to_current_stage_is_a_no_op(stage):
    lead = lead_in(stage)
    count = StageChange.objects.filter(lead=lead).count()

    same = lead_transition(lead_id=lead.pk, to_stage=stage, cause=Cause.MANUAL)

    assert same.stage == stage
    assert StageChange.objects.filter(lead=lead).count() == count


def test_unknown_stage_is_refused():
    lead = LeadFactory()
    with pytest.raises(UnknownStage):
        lead_transition(lead_id=lead.pk, to_stage="won", cause=Cause.MANUAL)
    assert not StageChange.objects.exists()


def test_milestones_keep_the_first_time_reached():
    lead = LeadFactory(created_at=timezone.now() - timedelta(days=30))
    t1 = timezone.now() - timedelta(days=20)
    t2 = timezone.now() - timedelta(days=10)
    t3 = timezone.now() - timedelta(days=5)
    lead_transition(lead_id=lead.pk, to_stage="prospect", cause=Cause.RULE, at=t1)
    lead_transition(lead_id=lead.pk, to_stage="lead", cause=Cause.TASK, at=t2)
    lead_transition(lead_id=lead.pk, to_stage="prospect", cause=Cause.MANUAL, at=t3)

    lead.refresh_from_db()
    assert lead.became_prospect_at == t1
    assert lead.became_customer_at is None
    entered = list(
        StageChange.objects.filter(lead=lead).values_list("from_stage_entered_at", flat=True)
    )
    assert entered == [lead.created_at, t1, t2]


def test_history_is_immutable():
    lead = lead_in("prospect")
    change = StageChange.objects.get(lead=lead)
    change.reason = "rewritten"
    with pytest.raises(ImmutableRecord):
        change.save()
    with pytest.raises(ImmutableRecord):
        change.delete()
    assert StageChange.objects.get(pk=change.pk).reason == ""


def test_followups_are_queued_only_on_commit(django_capture_on_commit_callbacks):
    lead = LeadFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        lead_transition(lead_id=lead.pk, to_stage="prospect", cause=Cause.MANUAL)
    # Becoming a prospect queues owner assignment, after commit only.
    assert len(callbacks) == 1

    with django_capture_on_commit_callbacks() as callbacks:
        lead_transition(lead_id=lead.pk, to_stage="prospect", cause=Cause.MANUAL)
    assert callbacks == []
