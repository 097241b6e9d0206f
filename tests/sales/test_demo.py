"""The demo's sales data: customers made by winning deals, repeat business, open and lost
deals, activities, a running cadence and quotas; a second run adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.utils import timezone

from funnel.models import StageChange
from funnel.stages import Stage
from leads.models import Lead
from sales import services
from sales.models import Activity, Deal, Enrolment, Quota
from sales.periods import period_containing

pytestmark = pytest.mark.django_db


def sales_counts():
    return (Deal.objects.count(), Activity.objects.count(), Quota.objects.count())


def test_the_demo_has_a_working_sales_team():
    call_command("seed_demo", stdout=StringIO())
    first = sales_counts()
    call_command("seed_demo", stdout=StringIO())
    assert sales_counts() == first

    customers = Lead.objects.filter(stage=Stage.CUSTOMER)
    assert customers.exists()
    assert not customers.exclude(deals__status=Deal.Status.WON).exists()
    # Each first move to customer was made by a win (the service writes the reason).
    to_customer = StageChange.objects.filter(to_stage=Stage.CUSTOMER)
    assert to_customer.count() == customers.count()
    assert not to_customer.exclude(reason__startswith="Won deal").exists()
    repeat = Lead.objects.annotate(
        wins=Count("deals", filter=Q(deals__status=Deal.Status.WON))
    ).filter(wins__gte=2)
    assert repeat.exists()
    statuses = set(Deal.objects.values_list("status", flat=True))
    assert statuses == {"open", "won", "lost"}

    now = timezone.now()
    tasks = Activity.objects.filter(done_at__isnull=True, due_at__isnull=False)
    assert tasks.filter(due_at__lt=now).exists() and tasks.filter(due_at__gt=now).exists()
    assert Activity.objects.filter(done_at__isnull=False).count() > 100
    assert Enrolment.objects.filter(status=Enrolment.Status.ACTIVE).exists()
    assert Activity.objects.filter(enrolment__isnull=False).exists()

    today = timezone.localdate()
    for kind in ("month", "quarter"):
        period = period_containing(kind, today)
        owners = set(
            Quota.objects.filter(period=kind, starts_on=period.starts_on).values_list(
                "owner__username", flat=True
            )
        )
        assert owners == {"rep1", "rep2", None}

    # The derived last-activity column agrees with the rows it is derived from.
    ids = list(Lead.objects.filter(stage=Stage.PROSPECT).values_list("pk", flat=True))
    before = dict(Lead.objects.filter(pk__in=ids).values_list("pk", "last_activity_at"))
    services.leads_last_activity_rebuild(lead_ids=ids)
    assert dict(Lead.objects.filter(pk__in=ids).values_list("pk", "last_activity_at")) == before
