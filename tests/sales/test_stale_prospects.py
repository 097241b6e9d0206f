from datetime import timedelta

import pytest
from django.utils import timezone

from funnel.models import StageChange
from funnel.stages import Cause, Stage
from leads.models import Lead
from sales import services
from sales.models import Enrolment
from sales.selectors import my_work
from tests.sales.factories import EnrolmentFactory, prospect

pytestmark = pytest.mark.django_db


def quiet_prospect(owner, days: int) -> Lead:
    return prospect(owner=owner, at=timezone.now() - timedelta(days=days))


@pytest.fixture
def limits(settings):
    settings.SALES_STALE_AFTER_DAYS = 10
    settings.SALES_RECYCLE_AFTER_DAYS = 30
    return settings


def test_prospects_quiet_past_the_limit_are_recycled_to_lead_by_the_task(rep, limits):
    old = quiet_prospect(rep, 31)
    recent = quiet_prospect(rep, 29)
    worked = quiet_prospect(rep, 60)
    services.activity_create(
        lead=worked,
        kind="call",
        subject="Caught up",
        created_by=rep,
        done_at=timezone.now() - timedelta(days=2),
    )

    moved = services.stale_prospects_recycle()

    assert moved == [old.pk]
    stages = dict(Lead.objects.values_list("pk", "stage"))
    assert (stages[old.pk], stages[recent.pk], stages[worked.pk]) == (
        Stage.LEAD,
        Stage.PROSPECT,
        Stage.PROSPECT,
    )
    move = StageChange.objects.get(lead=old, to_stage=Stage.LEAD)
    assert move.cause == Cause.TASK and move.actor is None
    assert move.reason == "No sales activity for 30 days: recycled to marketing."
    assert services.stale_prospects_recycle() == []


def test_a_recycled_prospect_stops_its_cadence(rep, limits):
    enrolment = EnrolmentFactory(lead=quiet_prospect(rep, 40))
    services.stale_prospects_recycle()
    assert Enrolment.objects.get(pk=enrolment.pk).status == Enrolment.Status.STOPPED


def test_zero_disables_recycling(rep, limits):
    limits.SALES_RECYCLE_AFTER_DAYS = 0
    lead = quiet_prospect(rep, 400)
    assert services.stale_prospects_recycle() == []
    assert Lead.objects.get(pk=lead.pk).stage == Stage.PROSPECT


def test_stale_prospects_are_flagged_on_my_work_oldest_first(rep, limits):
    fresh = quiet_prospect(rep, 2)
    stale = quiet_prospect(rep, 12)

    rows = my_work(user=rep).prospects.rows

    assert [(p.pk, p.quiet_days, p.is_stale) for p in rows] == [
        (stale.pk, 12, True),
        (fresh.pk, 2, False),
    ]
    limits.SALES_STALE_AFTER_DAYS = 0
    assert not any(p.is_stale for p in my_work(user=rep).prospects.rows)
