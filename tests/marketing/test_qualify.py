"""The beat task: recompute scores, hand leads at the threshold to sales, assign owners."""

from datetime import timedelta

import pytest
from django.utils import timezone

from funnel.models import StageChange
from funnel.services import lead_transition
from funnel.stages import Cause, Stage
from funnel.tasks import qualify_scored_leads
from leads.models import Lead
from marketing.models import ScoringRules
from tests.factories import LeadFactory, RepFactory
from tests.marketing.factories import TouchFactory

pytestmark = pytest.mark.django_db


def engaged(n_form_submits: int, **lead_fields) -> Lead:
    lead = LeadFactory(**lead_fields)
    for _ in range(n_form_submits):
        TouchFactory(lead=lead, kind="form_submit", at=timezone.now() - timedelta(seconds=5))
    return lead


@pytest.fixture
def threshold_30():
    ScoringRules.objects.update(mql_threshold=30)


def test_leads_reaching_the_threshold_become_prospects_with_owners(
    threshold_30, eager_tasks, django_capture_on_commit_callbacks
):
    reps = RepFactory.create_batch(2)
    hot = [engaged(3) for _ in range(5)]  # 30 points each
    cold = [engaged(2) for _ in range(3)]  # 20 points

    with django_capture_on_commit_callbacks(execute=True):
        moved = qualify_scored_leads()

    assert moved == len(hot)
    for lead in hot:
        lead.refresh_from_db()
        assert lead.stage == Stage.PROSPECT and lead.score == pytest.approx(30, abs=0.01)
        change = StageChange.objects.get(lead=lead)
        assert (change.cause, change.to_stage, change.actor) == (Cause.RULE, "prospect", None)
        assert "MQL threshold (30)" in change.reason
    owners = [Lead.objects.get(pk=lead.pk).owner_id for lead in hot]
    # Round-robin by load: 3 and 2, never one rep for everything.
    assert sorted(owners.count(rep.pk) for rep in reps) == [2, 3]
    assert all(Lead.objects.get(pk=lead.pk).stage == Stage.LEAD for lead in cold)


def test_second_run_moves_nothing(threshold_30, eager_tasks, django_capture_on_commit_callbacks):
    RepFactory()
    for _ in range(3):
        engaged(4)
    with django_capture_on_commit_callbacks(execute=True):
        assert qualify_scored_leads() == 3
    with django_capture_on_commit_callbacks(execute=True):
        assert qualify_scored_leads() == 0
    assert StageChange.objects.count() == 3


def test_reps_at_capacity_are_skipped(
    threshold_30, settings, eager_tasks, django_capture_on_commit_callbacks
):
    settings.SALES_REP_CAPACITY = 2
    busy, free = RepFactory.create_batch(2)
    for _ in range(2):
        lead = LeadFactory(owner=busy)
        lead_transition(lead_id=lead.pk, to_stage="prospect", cause=Cause.MANUAL)
    hot = [engaged(3) for _ in range(3)]

    with django_capture_on_commit_callbacks(execute=True):
        qualify_scored_leads()

    owners = list(Lead.objects.filter(pk__in=[h.pk for h in hot]).values_list("owner", flat=True))
    # `free` takes two (reaching capacity), the third waits in the pool.
    assert sorted(owners, key=lambda o: (o is None, o)) == [free.pk, free.pk, None]


def test_only_leads_in_lead_stage_are_promoted(threshold_30):
    lost = engaged(5)
    lead_transition(lead_id=lost.pk, to_stage="prospect", cause=Cause.MANUAL)
    lead_transition(lead_id=lost.pk, to_stage="lost", cause=Cause.MANUAL)
    disqualified = engaged(5)
    lead_transition(lead_id=disqualified.pk, to_stage="disqualified", cause=Cause.MANUAL)

    assert qualify_scored_leads() == 0
    assert Lead.objects.get(pk=lost.pk).stage == "lost"
    assert Lead.objects.get(pk=disqualified.pk).stage == "disqualified"


def test_threshold_comes_from_the_editable_rules(settings):
    settings.FUNNEL_MQL_THRESHOLD = 1  # only the initial value of the rules
    ScoringRules.objects.update(mql_threshold=100)
    engaged(5)
    assert qualify_scored_leads() == 0
    ScoringRules.objects.update(mql_threshold=50)
    assert qualify_scored_leads() == 1


def test_a_stale_score_does_not_promote(threshold_30):
    # Written by hand, with no touches behind it: the recompute corrects it first.
    LeadFactory(score=99)
    assert qualify_scored_leads() == 0
    assert Lead.objects.get().score == 0
