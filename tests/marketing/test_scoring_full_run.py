"""The full scoring run (hourly, and after a rules change): every score recomputed, so
decay reaches leads nobody touched, then the promotion."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from funnel.models import StageChange
from funnel.stages import Cause, Stage
from leads.models import Lead
from marketing import tasks
from marketing.models import FitRule, ScoringRules, ScoringWatermark, Touch
from marketing.scoring import leads_qualify, scoring_rules_get, scoring_rules_update
from tests.factories import LeadFactory
from tests.marketing.factories import TouchFactory

pytestmark = pytest.mark.django_db


def written_an_hour_ago(lead) -> None:
    """Every input of `lead` written before the minute run's watermark (and overlap)."""
    hour_ago = timezone.now() - timedelta(hours=1)
    Lead.objects.filter(pk=lead.pk).update(updated_at=hour_ago)
    Touch.objects.filter(lead=lead).update(recorded_at=hour_ago)


def test_the_full_run_decays_scores_the_minute_run_leaves_alone():
    now = timezone.now()
    lead = LeadFactory()
    TouchFactory(lead=lead, kind="webinar_attended", at=now - timedelta(days=30))
    written_an_hour_ago(lead)
    leads_qualify(full=True, now=now)
    assert Lead.objects.get(pk=lead.pk).score == 7.5  # 15 points, one half-life old

    month_later = now + timedelta(days=30)
    leads_qualify(now=month_later)  # Nothing was written since: nothing rescored.
    assert Lead.objects.get(pk=lead.pk).score == 7.5
    leads_qualify(full=True, now=month_later)
    assert Lead.objects.get(pk=lead.pk).score == 3.75


def test_negative_points_wearing_off_promote_on_the_full_run():
    ScoringRules.objects.update(
        mql_threshold=30, touch_points={**scoring_rules_get().touch_points, "page_visit": -20}
    )
    FitRule.objects.create(field="industry", value="software", points=40)
    now = timezone.now()
    lead = LeadFactory(industry="Software")
    TouchFactory(lead=lead, kind="page_visit", at=now)
    written_an_hour_ago(lead)
    assert leads_qualify(full=True, now=now) == []
    assert Lead.objects.get(pk=lead.pk).score == 20

    two_half_lives = now + timedelta(days=60)  # -20 has worn down to -5: 35 points
    assert leads_qualify(now=two_half_lives) == []  # No input written: the minute run waits.
    assert leads_qualify(full=True, now=two_half_lives) == [lead.pk]
    lead.refresh_from_db()
    assert lead.score == 35 and lead.stage == Stage.PROSPECT
    assert StageChange.objects.get(lead=lead).cause == Cause.RULE


def test_a_rules_change_rescores_everyone_and_promotes(
    eager_tasks, django_capture_on_commit_callbacks
):
    lead = LeadFactory()
    for _ in range(3):
        TouchFactory(lead=lead, kind="email_click", at=timezone.now())
    leads_qualify(full=True)
    assert Lead.objects.get(pk=lead.pk).score == 9
    rules = scoring_rules_get()

    with django_capture_on_commit_callbacks(execute=True):
        scoring_rules_update(
            touch_points={**rules.touch_points, "email_click": 20},
            half_life_days=rules.half_life_days,
            mql_threshold=50,
            fit_rules=[],
        )

    lead.refresh_from_db()
    assert lead.score == pytest.approx(60, abs=0.01) and lead.stage == Stage.PROSPECT


def test_the_full_run_task_is_idempotent_and_advances_the_watermark():
    ScoringRules.objects.update(mql_threshold=10)
    TouchFactory(kind="form_submit")
    assert tasks.scores_recompute() == 1
    first = ScoringWatermark.objects.get().scored_through
    assert tasks.scores_recompute() == 0
    assert ScoringWatermark.objects.get().scored_through > first
    assert StageChange.objects.count() == 1


def test_the_full_run_has_its_own_slower_beat_entry():
    entry = django_settings.CELERY_BEAT_SCHEDULE["recompute-lead-scores"]
    assert entry["task"] == "marketing.tasks.scores_recompute"
    minutes = django_settings.SCORING_FULL_RECOMPUTE_MINUTES
    assert entry["schedule"] == timedelta(minutes=minutes) and minutes == 60
    assert django_settings.CELERY_BEAT_SCHEDULE["qualify-scored-leads"]["schedule"] == (
        timedelta(minutes=1)
    )
