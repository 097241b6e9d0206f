"""A small world for the visibility matrix: two reps with their own sales records, an
unassigned prospect, a manager and a marketer."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from sales.models import Activity, Deal, Enrolment, Quota, Sequence
from tests.factories import ManagerFactory, MarketerFactory, RepFactory
from tests.sales.factories import (
    ActivityFactory,
    DealFactory,
    EnrolmentFactory,
    QuotaFactory,
    SequenceFactory,
    TaskFactory,
    prospect,
)


@dataclass
class Side:
    """One rep's records."""

    rep: object
    lead: object
    deal: Deal
    activity: Activity
    task: Activity
    enrolment: Enrolment
    quota: Quota
    sequence: Sequence


@dataclass
class World:
    a: Side
    b: Side
    manager: object
    marketer: object
    pool_lead: object
    team_quota: Quota

    def users(self) -> dict:
        return {
            "anonymous": None,
            "marketer": self.marketer,
            "rep_a": self.a.rep,
            "rep_b": self.b.rep,
            "manager": self.manager,
        }


def side(name: str) -> Side:
    rep = RepFactory(username=f"rep_{name}")
    lead = prospect(owner=rep, email=f"{name}@example.com")
    return Side(
        rep=rep,
        lead=lead,
        deal=DealFactory(lead=lead, title=f"Deal {name}", amount=Decimal("100.00")),
        activity=ActivityFactory(lead=lead, subject=f"Call {name}"),
        task=TaskFactory(lead=lead, subject=f"Task {name}"),
        enrolment=EnrolmentFactory(lead=lead, enrolled_by=rep),
        quota=QuotaFactory(owner=rep),
        sequence=SequenceFactory(owner=rep, name=f"Cadence {name}"),
    )


def build_world() -> World:
    return World(
        a=side("a"),
        b=side("b"),
        manager=ManagerFactory(username="boss"),
        marketer=MarketerFactory(username="marketer"),
        pool_lead=prospect(owner=None, email="pool@example.com"),
        team_quota=QuotaFactory(owner=None, target=Decimal("50000"), on=timezone.localdate()),
    )
