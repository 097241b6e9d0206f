"""The set-based score recompute against a plain Python computation over random data."""

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leads.models import Lead
from marketing.models import FitRule, Touch
from marketing.scoring import scores_recompute, scoring_rules_get
from tests.factories import CampaignFactory, LeadFactory
from tests.marketing.scoring_reference import close, expected_score

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored_world():
    rng = random.Random(7)
    now = timezone.now()
    campaigns = CampaignFactory.create_batch(3)
    FitRule.objects.create(field="industry", value="Software", points=12)
    FitRule.objects.create(field="industry", value="Student", points=-20)
    FitRule.objects.create(field="country", value="de", points=4.5)
    FitRule.objects.create(field="company_size", value="51-200", points=8)
    leads = [
        LeadFactory(
            industry=rng.choice(["software", "SOFTWARE", "Student", "Retail", ""]),
            country=rng.choice(["DE", "fr", ""]),
            company_size=rng.choice(["", "1-10", "51-200"]),
        )
        for _ in range(40)
    ]
    touches = [
        Touch(
            lead=lead,
            campaign=rng.choice([None, *campaigns]),
            kind=rng.choice(Touch.Kind.values),
            # From a year ago to a day in the future (counts in full).
            at=now - timedelta(days=rng.uniform(-1, 365)),
        )
        for lead in leads[:30]
        for _ in range(rng.randint(0, 8))
    ]
    Touch.objects.bulk_create(touches)
    return leads, now


def test_every_score_matches_the_plain_computation(scored_world):
    leads, now = scored_world
    rules = scoring_rules_get()

    changed = scores_recompute(now=now)

    assert changed == sum(
        1 for lead in leads if round(expected_score(lead, rules=rules, now=now), 2)
    )
    for lead in Lead.objects.all():
        assert close(lead.score, expected_score(lead, rules=rules, now=now)), lead.pk


def test_changed_rules_change_every_score_the_same_way(scored_world):
    _leads, now = scored_world
    rules = scoring_rules_get()
    rules.half_life_days = 7
    rules.touch_points = {**rules.touch_points, "page_visit": 4, "email_open": 0}
    rules.save()

    scores_recompute(now=now)

    for lead in Lead.objects.all():
        assert close(lead.score, expected_score(lead, rules=rules, now=now))


def test_scores_decay_over_time_and_an_up_to_date_row_is_not_written(scored_world):
    _leads, now = scored_world
    scores_recompute(now=now)
    assert scores_recompute(now=now) == 0  # nothing changed, nothing written

    later = now + timedelta(days=30)
    scores_recompute(now=later)
    rules = scoring_rules_get()
    touched = Lead.objects.filter(touches__isnull=False).distinct()
    for lead in touched:
        assert close(lead.score, expected_score(lead, rules=rules, now=later))
    # A lead only with fit points keeps its score.
    untouched = Lead.objects.filter(touches__isnull=True)
    assert all(
        close(lead.score, expected_score(lead, rules=rules, now=later)) for lead in untouched
    )


def test_recompute_is_one_statement_whatever_the_number_of_leads(scored_world):
    with CaptureQueriesContext(connection) as captured:
        scores_recompute(now=timezone.now())
    updates = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    # Reading the rules and the fit rules, then the one UPDATE.
    assert len(captured.captured_queries) == 3


def test_recompute_can_be_limited_to_some_leads(scored_world):
    leads, now = scored_world
    Lead.objects.update(score=0)
    scores_recompute(leads=Lead.objects.filter(pk=leads[0].pk), now=now)
    rules = scoring_rules_get()
    assert close(
        Lead.objects.get(pk=leads[0].pk).score, expected_score(leads[0], rules=rules, now=now)
    )
    assert not Lead.objects.exclude(pk=leads[0].pk).exclude(score=0).exists()
