"""Factories for marketing records (and the won deals campaign results read)."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from marketing.models import Spend, Touch
from sales.models import Deal
from sales.pipeline.models import DealStage
from sales.pipeline.stages import pipeline_default
from tests.factories import CampaignFactory, LeadFactory


class SpendFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Spend

    campaign = factory.SubFactory(CampaignFactory)
    day = factory.LazyFunction(lambda: timezone.localdate())
    amount = Decimal("100.00")


class TouchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Touch

    lead = factory.SubFactory(LeadFactory)
    campaign = None
    kind = Touch.Kind.PAGE_VISIT
    at = factory.LazyFunction(timezone.now)


class WonDealFactory(factory.django.DjangoModelFactory):
    """A won deal as the sales app stores it (closed date and time both set)."""

    class Meta:
        model = Deal

    lead = factory.SubFactory(LeadFactory)
    title = factory.Sequence(lambda n: f"Deal {n}")
    amount = Decimal("1000.00")
    status = Deal.Status.WON
    stage = factory.LazyFunction(
        lambda: DealStage.objects.get(pipeline=pipeline_default(), is_won=True)
    )
    closed_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=1))
    closed_on = factory.LazyAttribute(lambda deal: timezone.localdate(deal.closed_at))
