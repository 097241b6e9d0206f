"""The minute run rescores only leads whose inputs were written since its watermark, then
promotes every lead at the threshold; the watermark reads back an overlap for late commits."""

from datetime import timedelta

import pytest
from django.utils import timezone

from funnel.models import StageChange
from funnel.stages import Cause, Stage
from funnel.tasks import qualify_scored_leads
from leads.models import Lead
from leads.services import lead_update
from marketing.models import FitRule, ScoringRules, ScoringWatermark, Touch
from marketing.scoring import leads_qualify
from tests.factories import LeadFactory
from tests.marketing.factories import TouchFactory

pytestmark = pytest.mark.django_db
OVERLAP = 300


@pytest.fixture(autouse=True)
def rules(settings):
    settings.SCORING_WATERMARK_OVERLAP_SECONDS = OVERLAP
    ScoringRules.objects.update(mql_threshold=30)


def scored_an_hour_ago(lead: Lead, *, score: float) -> Lead:
    """`lead` with a stored score and every input of it written an hour ago."""
    hour_ago = timezone.now() - timedelta(hours=1)
    Lead.objects.filter(pk=lead.pk).update(score=score, updated_at=hour_ago)
    Touch.objects.filter(lead=lead).update(recorded_at=hour_ago)
    return Lead.objects.get(pk=lead.pk)


def watermark(at=None):
    """The last run finished at `at` (default: now)."""
    at = at or timezone.now()
    ScoringWatermark.objects.update_or_create(pk=1, defaults={"scored_through": at})
    return at


def form_submit(lead: Lead, *, days_ago: float = 0) -> Touch:
    # Written straight into the table (as an import or the admin does): no rescore at once.
    return TouchFactory(lead=lead, kind="form_submit", at=timezone.now() - timedelta(days_ago))


def test_a_lead_touched_since_the_last_run_gets_its_new_score_and_is_promoted():
    lead = LeadFactory()
    form_submit(lead), form_submit(lead)
    lead = scored_an_hour_ago(lead, score=20)
    watermark()

    form_submit(lead)
    assert qualify_scored_leads() == 1

    lead.refresh_from_db()
    assert lead.score == pytest.approx(30, abs=0.01) and lead.stage == Stage.PROSPECT
    change = StageChange.objects.get(lead=lead)
    assert (change.cause, change.to_stage) == (Cause.RULE, Stage.PROSPECT)


def test_an_untouched_lead_is_not_rewritten():
    # A stale stored score (the real one is 20): the minute run does not look at it.
    quiet = scored_an_hour_ago(LeadFactory(), score=7)
    form_submit(quiet), form_submit(quiet)
    Touch.objects.filter(lead=quiet).update(recorded_at=timezone.now() - timedelta(hours=1))
    busy = LeadFactory()
    watermark()
    form_submit(busy)

    qualify_scored_leads()

    assert Lead.objects.get(pk=quiet.pk).score == 7
    assert Lead.objects.get(pk=busy.pk).score == pytest.approx(10, abs=0.01)
    # The full run does.
    leads_qualify(full=True)
    assert Lead.objects.get(pk=quiet.pk).score == pytest.approx(20, abs=0.01)


def test_an_edited_fit_field_is_rescored_and_promoted():
    FitRule.objects.create(field="industry", value="software", points=35)
    lead = scored_an_hour_ago(LeadFactory(industry="Retail"), score=0)
    watermark()

    lead_update(lead=lead, data={"industry": "Software"})
    assert qualify_scored_leads() == 1
    lead.refresh_from_db()
    assert lead.score == 35 and lead.stage == Stage.PROSPECT


def test_a_touch_committed_after_the_last_run_but_stamped_before_it_is_not_missed():
    lead = scored_an_hour_ago(LeadFactory(), score=0)
    last_run = watermark()
    # Its transaction stamped it a minute before the last run read the table, and
    # committed only after: that run could not see it.
    for _ in range(3):
        touch = form_submit(lead)
        Touch.objects.filter(pk=touch.pk).update(recorded_at=last_run - timedelta(seconds=60))

    assert qualify_scored_leads() == 1
    assert Lead.objects.get(pk=lead.pk).score == pytest.approx(30, abs=0.01)


def test_a_write_older_than_the_overlap_waits_for_the_full_run():
    lead = scored_an_hour_ago(LeadFactory(), score=0)
    last_run = watermark()
    for _ in range(3):
        touch = form_submit(lead)
        stamped = last_run - timedelta(seconds=OVERLAP + 60)
        Touch.objects.filter(pk=touch.pk).update(recorded_at=stamped)

    assert qualify_scored_leads() == 0
    assert Lead.objects.get(pk=lead.pk).score == 0
    assert len(leads_qualify(full=True)) == 1
    assert Lead.objects.get(pk=lead.pk).stage == Stage.PROSPECT


def test_each_run_advances_the_watermark():
    started = timezone.now()
    assert not ScoringWatermark.objects.exists()
    qualify_scored_leads()  # The first run ever scores everyone.
    first = ScoringWatermark.objects.get().scored_through
    assert first >= started
    qualify_scored_leads()
    assert ScoringWatermark.objects.get().scored_through > first


def test_the_first_run_scores_every_lead():
    lead = LeadFactory()
    form_submit(lead), form_submit(lead), form_submit(lead)
    scored_an_hour_ago(lead, score=0)
    assert qualify_scored_leads() == 1
    assert Lead.objects.get(pk=lead.pk).score == pytest.approx(30, abs=0.01)


def test_a_lead_already_above_the_threshold_is_promoted_without_a_rescore():
    # Below the threshold when scored; the threshold was lowered since, with no new input.
    lead = LeadFactory()
    form_submit(lead), form_submit(lead)
    scored_an_hour_ago(lead, score=20)
    watermark()
    ScoringRules.objects.update(mql_threshold=20)
    assert qualify_scored_leads() == 1
    assert Lead.objects.get(pk=lead.pk).stage == Stage.PROSPECT
