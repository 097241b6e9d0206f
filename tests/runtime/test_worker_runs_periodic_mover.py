"""The periodic mover, run by a real worker process on Redis and PostgreSQL (CI)."""

import pytest

from funnel.models import StageChange
from funnel.stages import Cause, Stage
from funnel.tasks import qualify_scored_leads
from leads.models import Lead
from marketing.models import FitRule
from marketing.scoring import scoring_rules_get
from tests.factories import LeadFactory, RepFactory
from tests.support import redis_only

pytestmark = [redis_only, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_worker_moves_scored_leads_once_with_history(celery_worker):
    # Scores come from marketing's rules, recomputed by the task itself: fit points decide.
    threshold = scoring_rules_get().mql_threshold
    FitRule.objects.create(field=FitRule.Field.INDUSTRY, value="Software", points=threshold + 10)
    FitRule.objects.create(field=FitRule.Field.INDUSTRY, value="Logistics", points=threshold)
    reps = RepFactory.create_batch(2)
    hot = [
        *LeadFactory.create_batch(30, industry="Software"),
        LeadFactory(industry="Logistics"),
    ]
    cold = LeadFactory.create_batch(5, industry="Retail")
    hot_ids = [lead.pk for lead in hot]

    first = qualify_scored_leads.apply_async(queue=celery_worker.queue)
    celery_worker.wait_until(
        lambda: Lead.objects.filter(pk__in=hot_ids, owner__isnull=False).count() == len(hot),
        timeout=30,
        what="scored leads to become owned prospects",
    )

    assert dict(celery_worker.succeeded(qualify_scored_leads.name))[first.id] == str(len(hot))
    history = StageChange.objects.filter(lead__in=hot_ids)
    assert history.count() == len(hot)
    assert set(history.values_list("lead_id", flat=True)) == set(hot_ids)
    assert set(history.values_list("from_stage", "to_stage", "cause", "actor")) == {
        (Stage.LEAD, Stage.PROSPECT, Cause.RULE, None)
    }
    assert set(Lead.objects.filter(pk__in=hot_ids).values_list("stage", flat=True)) == {
        Stage.PROSPECT
    }
    # The move's follow-up (owner assignment) ran on the worker too.
    assert set(Lead.objects.filter(pk__in=hot_ids).values_list("owner", flat=True)) <= {
        rep.pk for rep in reps
    }
    assert not StageChange.objects.filter(lead__in=cold).exists()
    assert set(
        Lead.objects.filter(pk__in=[c.pk for c in cold]).values_list("stage", flat=True)
    ) == {Stage.LEAD}

    # The sweep is idempotent: a second run finds nothing to move.
    second = qualify_scored_leads.apply_async(queue=celery_worker.queue)
    celery_worker.wait_until(
        lambda: second.id in dict(celery_worker.succeeded(qualify_scored_leads.name)),
        timeout=30,
        what="the second sweep",
    )
    assert dict(celery_worker.succeeded(qualify_scored_leads.name))[second.id] == "0"
    assert StageChange.objects.filter(lead__in=hot_ids).count() == len(hot)
    assert celery_worker.alive
