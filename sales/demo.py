"""Sales' part of the demo data (`manage.py seed_demo`, see funnel/demo.py).

`story_move` plays the sales moves of a planned lead story: a customer is made by opening
a deal and winning it through `sales.services.deal_win` (which makes the stage move), and
a lost prospect loses its deal first. `step_sales` then adds what a working sales team
has: repeat business, open and lost deals, logged activities, tasks (some overdue, some
today), a nurture sequence with enrolments, and quotas for rep1, rep2 and the team.

Everything goes through the services, backdated with their `at` arguments, so derived
columns (`last_activity_at`, milestones) agree with the rows. Randomness is seeded per
lead email, so a run makes the same data whatever else the database holds.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from funnel.stages import Cause, Stage
from leads.models import Lead
from sales import services
from sales.models import Activity, Deal, Quota, Sequence
from sales.periods import period_containing
from sales.pipeline.services import deal_move
from sales.teams.services import team_save

if TYPE_CHECKING:
    from funnel.demo import DemoContext

SEED = "funnel-sales-demo"
DEMO_SEQUENCE = "New prospect: first two weeks"
SEQUENCE_STEPS = [
    (0, Activity.Kind.EMAIL, "Intro email: what we heard, what we offer"),
    (2, Activity.Kind.CALL, "Discovery call"),
    (5, Activity.Kind.EMAIL, "Send the customer story that fits their industry"),
    (9, Activity.Kind.CALL, "Follow-up call: agree next steps"),
    (14, Activity.Kind.TASK, "Decide: open a deal, or back to marketing"),
]
DEMO_TEAMS = ["North", "South"]
PRODUCTS = ["Starter plan", "Team plan", "Business plan", "Onboarding package", "Annual licence"]
REPEAT = ["Seat expansion", "Renewal", "Add-on: analytics", "Second team"]
CALL_SUBJECTS = ["Discovery call", "Demo", "Pricing questions", "Check-in", "Contract review"]
EMAIL_SUBJECTS = ["Sent proposal", "Shared case study", "Follow-up after demo", "Answered FAQ"]
TASKS = ["Send revised quote", "Book technical call", "Prepare demo", "Chase signature"]
LOST = ["Chose a competitor.", "No budget this year.", "Project postponed.", "Price too high."]


def _rng(key: str) -> random.Random:
    return random.Random(f"{SEED}:{key}")


def _amount(rng: random.Random, low: int = 2_000, high: int = 40_000) -> Decimal:
    return Decimal(rng.randrange(low // 100, high // 100) * 100)


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + (end - start) * rng.uniform(0.2, 0.8)


def story_move(
    *,
    lead_id: int,
    stage: Stage,
    at: datetime,
    since: datetime,
    actor: AbstractBaseUser | None,
    reason: str,
) -> bool:
    """Play a sales move of a demo story. True when it made the stage move itself (a won
    deal makes the customer); False when the caller should still make the move."""
    if stage not in (Stage.CUSTOMER, Stage.LOST) or actor is None:
        return False
    lead = Lead.objects.get(pk=lead_id)
    if lead.stage != Stage.PROSPECT:
        return False
    rng = _rng(f"{lead.email}:{at.isoformat()}")
    deal = services.deal_create(
        lead=lead,
        title=rng.choice(PRODUCTS),
        amount=_amount(rng),
        created_by=actor,
        at=_between(rng, since, at),
    )
    if stage == Stage.CUSTOMER:
        services.deal_win(deal_id=deal.pk, actor=actor, cause=Cause.MANUAL, at=at)
        return True
    services.deal_lose(
        deal_id=deal.pk, actor=actor, reason=reason or rng.choice(LOST), at=at - timedelta(hours=1)
    )
    return False


def step_sales(ctx: DemoContext) -> str:
    """Deals, activities, a sequence with enrolments and quotas; skipped once done."""
    if Sequence.objects.filter(name=DEMO_SEQUENCE).exists():
        return "sales: already there"
    reps = {name: ctx.users[name] for name in ("rep1", "rep2") if name in ctx.users}
    manager = ctx.users.get("manager")
    if not reps or manager is None:
        return "sales: skipped (no demo reps)"
    now = ctx.now
    with transaction.atomic():
        repeat = _repeat_business(now)
        opened, lost = _prospect_deals(now)
        logged, planned = _activities(now)
        enrolled = _sequence(now, owner=manager)
        quotas = _quotas(now, reps=list(reps.values()), manager=manager)
    return (
        f"sales: {repeat} repeat wins, {opened} open and {lost} lost deals, {logged} activities "
        f"logged, {planned} tasks planned, {enrolled} enrolled in a sequence, {quotas} quotas"
    )


def _customers():
    return Lead.objects.filter(stage=Stage.CUSTOMER, owner__isnull=False).order_by("email")


def _prospects():
    return Lead.objects.filter(stage=Stage.PROSPECT, owner__isnull=False).order_by("email")


def _repeat_business(now: datetime) -> int:
    """A third of the customers came back for more: one or two more won deals."""
    wins = 0
    for lead in _customers().select_related("owner"):
        rng = _rng(f"repeat:{lead.email}")
        if rng.random() > 0.33 or lead.became_customer_at is None:
            continue
        start = lead.became_customer_at
        for _ in range(rng.choice([1, 1, 2])):
            if (now - start).days < 20:
                break
            opened = _between(rng, start, now - timedelta(days=5))
            closed = _between(rng, opened, now)
            deal = services.deal_create(
                lead=lead,
                title=rng.choice(REPEAT),
                amount=_amount(rng, 1_000, 15_000),
                created_by=lead.owner,
                at=opened,
            )
            services.deal_win(deal_id=deal.pk, actor=lead.owner, cause=Cause.MANUAL, at=closed)
            wins += 1
            start = closed
        if rng.random() < 0.4 and (now - start).days >= 3:
            # More business in the making: shows on the board's "Repeat business" column.
            services.deal_create(
                lead=lead,
                title=rng.choice(REPEAT),
                amount=_amount(rng, 1_000, 15_000),
                created_by=lead.owner,
                expected_close_on=(now + timedelta(days=rng.randrange(5, 45))).date(),
                at=_between(rng, start, now),
            )
    return wins


OPEN_STAGES = ["Qualification", "Demo", "Proposal", "Negotiation"]


def _prospect_deals(now: datetime) -> tuple[int, int]:
    """Half the open prospects negotiate a deal; a few lost a first attempt already."""
    opened = lost = 0
    for lead in _prospects().select_related("owner"):
        rng = _rng(f"deal:{lead.email}")
        roll = rng.random()
        if roll > 0.6:
            continue
        since = lead.stage_changed_at or lead.created_at
        at = _between(rng, since, now)
        deal = services.deal_create(
            lead=lead,
            title=rng.choice(PRODUCTS),
            amount=_amount(rng),
            created_by=lead.owner,
            expected_close_on=(now + timedelta(days=rng.randrange(-10, 60))).date(),
            at=at,
        )
        if roll < 0.1:
            services.deal_lose(
                deal_id=deal.pk,
                actor=lead.owner,
                reason=rng.choice(LOST),
                at=_between(rng, at, now),
            )
            lost += 1
        else:
            # Spread over the pipeline, so the deal board has something in every column.
            stage = rng.choice(OPEN_STAGES)
            if stage != OPEN_STAGES[0]:
                deal_move(
                    deal_id=deal.pk,
                    to_stage=stage,
                    actor=lead.owner,
                    cause=Cause.MANUAL,
                    at=_between(rng, at, now),
                )
            opened += 1
    return opened, lost


def _activities(now: datetime) -> tuple[int, int]:
    """Calls, emails and notes on prospects and customers; tasks ahead (and a few late).

    Most open prospects were worked in the last two weeks; some have gone quiet for longer,
    so "My work" flags them stale (the recycle task takes those past its limit)."""
    logged = planned = 0
    for lead in (_prospects() | _customers()).select_related("owner"):
        rng = _rng(f"activity:{lead.email}")
        rep = lead.owner
        since = lead.stage_changed_at or lead.created_at
        quiet_days = rng.choice([1, 2, 3, 5, 8, 12, 16, 25, 35])
        latest = max(since, now - timedelta(days=quiet_days))
        count = rng.randrange(1, 5)
        for i in range(count):
            # The last one `quiet_days` ago, the others spread since the stage began.
            done_at = latest if i == count - 1 or latest <= since else _between(rng, since, latest)
            kind = rng.choice([Activity.Kind.CALL, Activity.Kind.EMAIL, Activity.Kind.NOTE])
            subjects = CALL_SUBJECTS if kind == Activity.Kind.CALL else EMAIL_SUBJECTS
            services.activity_create(
                lead=lead,
                kind=kind,
                subject=rng.choice(subjects) if kind != Activity.Kind.NOTE else "Notes from call",
                body="Interested; wants to involve their IT lead next time."
                if rng.random() < 0.3
                else "",
                created_by=rep,
                done_at=done_at,
            )
            logged += 1
        if lead.stage == Stage.PROSPECT and rng.random() < 0.7:
            # Due from two days ago to a week ahead: some late, some today, most upcoming.
            due = now + timedelta(hours=rng.randrange(-48, 24 * 7))
            services.activity_create(
                lead=lead, kind=Activity.Kind.TASK, subject=rng.choice(TASKS), created_by=rep,
                due_at=due,
            )  # fmt: skip
            planned += 1
    return logged, planned


def _sequence(now: datetime, *, owner: AbstractBaseUser) -> int:
    sequence = services.sequence_create(
        name=DEMO_SEQUENCE,
        description="Five touches over two weeks for a newly qualified prospect.",
        steps=[{"day_offset": d, "kind": k, "subject": s} for d, k, s in SEQUENCE_STEPS],
        owner=owner,
    )
    candidates = [
        lead
        for lead in _prospects()
        if not Deal.objects.filter(lead=lead, status=Deal.Status.OPEN).exists()
    ][:12]
    for lead in candidates:
        rng = _rng(f"enrol:{lead.email}")
        # Backdated (leads_enrol starts now and queues the sweep on a broker that may not
        # be up yet during seeding): the sweep below makes the due steps' tasks at once.
        enrolment = services.enrolment_new(
            sequence=sequence,
            lead_id=lead.pk,
            enrolled_by=lead.owner,
            # Started some days ago, so some steps are due already.
            started_at=now - timedelta(days=rng.randrange(0, 10), hours=rng.randrange(0, 8)),
        )
        enrolment.save()
        services.sequence_steps_create_due(now=now, enrolment_ids=[enrolment.pk])
    return len(candidates)


def _quotas(now: datetime, *, reps: list[AbstractBaseUser], manager: AbstractBaseUser) -> int:
    """This month's and quarter's targets, and the last five months', so the quota page
    has history: sized on what each rep actually won in the last six months."""
    today = timezone.localdate(now)
    created = 0
    won_six_months = {
        rep.pk: sum(
            Deal.objects.filter(
                owner=rep, status=Deal.Status.WON, closed_on__gte=today - timedelta(days=182)
            ).values_list("amount", flat=True),
            Decimal(0),
        )
        for rep in reps
    }
    monthly = {
        pk: max(Decimal(5000), (won / 6).quantize(Decimal(100)))
        for pk, won in won_six_months.items()
    }
    months = []
    period = period_containing(Quota.Period.MONTH, today)
    for _ in range(6):
        months.append(period)
        period = period.previous()
    for month in months:
        for rep in reps:
            services.quota_create(
                owner=rep, period=Quota.Period.MONTH, starts_on=month.starts_on,
                target=monthly[rep.pk] * Decimal("1.1"), created_by=manager,
            )  # fmt: skip
            created += 1
    quarter = period_containing(Quota.Period.QUARTER, today)
    for rep in reps:
        services.quota_create(
            owner=rep, period=Quota.Period.QUARTER, starts_on=quarter.starts_on,
            target=monthly[rep.pk] * 3 * Decimal("1.1"), created_by=manager,
        )  # fmt: skip
        created += 1
    team_month = sum(monthly.values(), Decimal(0)) * Decimal("1.2")
    for kind, target in [(Quota.Period.MONTH, team_month), (Quota.Period.QUARTER, team_month * 3)]:
        services.quota_create(
            owner=None,
            period=kind,
            starts_on=period_containing(kind, today).starts_on,
            target=target.quantize(Decimal(100)),
            created_by=manager,
        )
        created += 1
    # One named team per demo rep, each with this month's target, so the quota page and
    # the forecast show teams beside the whole sales team.
    for name, rep in zip(DEMO_TEAMS, reps, strict=False):
        team = team_save(actor=manager, name=name, manager_id=manager.pk, member_ids=[rep.pk])
        services.quota_create(
            owner=None, team=team, period=Quota.Period.MONTH,
            starts_on=period_containing(Quota.Period.MONTH, today).starts_on,
            target=(monthly[rep.pk] * Decimal("1.1")).quantize(Decimal(100)), created_by=manager,
        )  # fmt: skip
        created += 1
    return created
