"""Sales test data. Stages are reached through the one writer, so every record has the
history a real one would."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from funnel.services import lead_transition
from funnel.stages import Cause, Stage
from leads.models import Lead
from sales.models import Activity, Deal, Enrolment, Quota, Sequence, SequenceStep
from sales.periods import period_containing
from sales.pipeline.models import DealStage
from sales.pipeline.services import deal_history_start
from sales.pipeline.stages import pipeline_default, stage_first_open
from tests.factories import LeadFactory

PATHS = {
    Stage.LEAD: [],
    Stage.PROSPECT: [Stage.PROSPECT],
    Stage.CUSTOMER: [Stage.PROSPECT, Stage.CUSTOMER],
    Stage.LOST: [Stage.PROSPECT, Stage.LOST],
    Stage.DISQUALIFIED: [Stage.DISQUALIFIED],
}


def lead_in(stage: Stage = Stage.PROSPECT, *, owner=None, at: datetime | None = None, **fields):
    """A lead moved to `stage` through the stage service (at `at`, default now)."""
    if at is not None:
        fields.setdefault("created_at", at - timedelta(minutes=len(PATHS[stage]) + 1))
    lead = LeadFactory(owner=owner, **fields)
    for i, step in enumerate(PATHS[stage]):
        moment = None if at is None else at - timedelta(minutes=len(PATHS[stage]) - 1 - i)
        lead_transition(lead_id=lead.pk, to_stage=step, cause=Cause.MANUAL, at=moment)
    return Lead.objects.get(pk=lead.pk)


def prospect(owner=None, **fields) -> Lead:
    return lead_in(Stage.PROSPECT, owner=owner, **fields)


def first_stage() -> DealStage:
    """The default pipeline's first open stage (Qualification), as a new deal gets."""
    return stage_first_open(pipeline_default())


def stage_named(name: str) -> DealStage:
    return DealStage.objects.get(pipeline=pipeline_default(), name=name)


class DealFactory(factory.django.DjangoModelFactory):
    """An open deal in the first stage, with the history row its creation writes."""

    class Meta:
        model = Deal
        skip_postgeneration_save = True

    lead = factory.LazyFunction(prospect)
    title = factory.Sequence(lambda n: f"Deal {n}")
    amount = Decimal("1000.00")
    owner = factory.LazyAttribute(lambda deal: deal.lead.owner)
    stage = factory.LazyFunction(first_stage)
    stage_changed_at = factory.LazyAttribute(lambda deal: deal.created_at)
    created_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def history(self, create, extracted, **kwargs):
        if create:
            deal_history_start(deal=self, actor=None, cause=Cause.MANUAL)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    lead = factory.LazyFunction(prospect)
    kind = Activity.Kind.CALL
    subject = factory.Sequence(lambda n: f"Call {n}")
    owner = factory.LazyAttribute(lambda activity: activity.lead.owner)
    done_at = factory.LazyFunction(timezone.now)


class TaskFactory(ActivityFactory):
    kind = Activity.Kind.TASK
    subject = factory.Sequence(lambda n: f"Task {n}")
    done_at = None
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))


class SequenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sequence
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Cadence {n}")

    @factory.post_generation
    def steps(self, create, extracted, **kwargs):
        """`steps=[(day_offset, kind, subject), ...]`; default: days 0, 2 and 5."""
        plan = extracted or [
            (0, Activity.Kind.EMAIL, "Intro email"),
            (2, Activity.Kind.CALL, "Follow-up call"),
            (5, Activity.Kind.EMAIL, "Case study"),
        ]
        SequenceStep.objects.bulk_create(
            SequenceStep(sequence=self, position=i, day_offset=d, kind=k, subject=s)
            for i, (d, k, s) in enumerate(plan, start=1)
        )


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    sequence = factory.SubFactory(SequenceFactory)
    lead = factory.LazyFunction(prospect)
    started_at = factory.LazyFunction(timezone.now)
    # As `sales.services.enrolment_new` sets it: the first step's due time.
    next_due_at = factory.LazyAttribute(
        lambda e: (
            e.started_at + timedelta(days=e.sequence.steps.order_by("position").first().day_offset)
        )
    )


class QuotaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quota
        exclude = ["on"]

    on = factory.LazyFunction(timezone.localdate)
    period = Quota.Period.MONTH
    starts_on = factory.LazyAttribute(lambda q: period_containing(q.period, q.on).starts_on)
    ends_on = factory.LazyAttribute(lambda q: period_containing(q.period, q.on).ends_on)
    target = Decimal("10000.00")


def won_deal(lead: Lead, *, amount="1000.00", closed_on: date | None = None, owner=None) -> Deal:
    """A deal won through the service (so a prospect becomes a customer)."""
    from sales.services import deal_win

    deal = DealFactory(lead=lead, amount=Decimal(amount), owner=owner or lead.owner)
    return deal_win(deal_id=deal.pk, actor=deal.owner, cause=Cause.MANUAL, closed_on=closed_on)
