"""Demo data for `manage.py seed_demo`: users, campaigns and a year of leads.

Built as ordered steps over one `DemoContext`; each step is idempotent on its own (it
creates only what is missing) and returns a line for the command's output. Other areas
add their step (touches, spend, deals, activities) to `DEMO_STEPS` after the ones it
needs. Randomness comes from a fixed seed, so every run plans the same people and the
same stories; stage histories are made only through `funnel.services.lead_transition`
with backdated times, so history and stage always agree.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.db import transaction
from django.utils import timezone
from faker import Faker

from currencies import demo as currencies_demo
from funnel import services
from funnel.roles import MANAGERS, MARKETING, SALES
from funnel.stages import Cause, Stage
from leads.emails import normalize_email
from leads.models import Lead
from mail import demo as mail_demo
from marketing import demo as marketing_demo
from marketing.models import Campaign
from sales import demo as sales_demo

SEED = 20240501
DEMO_PASSWORD = "funnel-demo"
DEMO_LEADS = 500
DEMO_DAYS = 365

# (username, first name, last name, group or None for the superuser)
DEMO_USERS = [
    ("admin", "Ada", "Admin", None),
    ("manager", "Maria", "Lopez", MANAGERS),
    ("marketer", "Mark", "Ellis", MARKETING),
    ("rep1", "Rita", "Patel", SALES),
    ("rep2", "Sam", "Okafor", SALES),
]

# (name, channel, utm_campaign, budget, starts days ago, length in days or None: ongoing)
DEMO_CAMPAIGNS = [
    ("Spring webinar series", Campaign.Channel.WEBINAR, "spring-webinars", 6000, 330, 75),
    ("Search ads: CRM keywords", Campaign.Channel.PAID_SEARCH, "search-crm", 24000, 365, None),
    ("LinkedIn retargeting", Campaign.Channel.SOCIAL, "linkedin-retargeting", 12000, 240, 150),
    ("Monthly newsletter", Campaign.Channel.EMAIL, "newsletter", 1500, 365, None),
    ("SaaS Summit booth", Campaign.Channel.EVENT, "saas-summit", 18000, 150, 3),
    ("Customer referral programme", Campaign.Channel.REFERRAL, "referrals", 3000, 200, None),
    ("Buyer's guide download", Campaign.Channel.CONTENT, "buyers-guide", 4000, 120, 120),
]

INDUSTRIES = [
    "Software", "Manufacturing", "Retail", "Healthcare", "Financial services",
    "Logistics", "Education", "Media", "Professional services", "Construction",
]  # fmt: skip
COUNTRIES = ["United States", "United Kingdom", "Germany", "France", "Canada", "Netherlands"]
DISQUALIFY_REASONS = [
    "Student, no buying intent.", "Competitor researching us.", "Company too small.",
    "Outside our service area.", "Duplicate contact at the same company.",
]  # fmt: skip
LOST_REASONS = [
    "Chose a competitor.", "No budget this year.", "Went quiet after the demo.",
    "Project postponed.", "Price too high.",
]  # fmt: skip


@dataclass
class DemoContext:
    now: datetime
    rng: random.Random
    faker: Faker
    users: dict[str, AbstractBaseUser] = field(default_factory=dict)
    campaigns: list[Campaign] = field(default_factory=list)
    leads: list[Lead] = field(default_factory=list)
    planned_emails: set[str] = field(default_factory=set)


@dataclass
class PlannedLead:
    lead: Lead
    # The moves to make, in order: (stage, when, cause, actor username or None, reason).
    moves: list[tuple[Stage, datetime, Cause, str | None, str]]
    # The rep who owns the lead once it is a prospect.
    owner: str


def demo_context(*, now: datetime | None = None) -> DemoContext:
    faker = Faker("en_US")
    faker.seed_instance(SEED)
    return DemoContext(now=now or timezone.now(), rng=random.Random(SEED), faker=faker)


def step_users(ctx: DemoContext) -> str:
    """Role groups and the demo users, with the demo password set only on creation."""
    User = get_user_model()
    created = 0
    for username, first_name, last_name, group_name in DEMO_USERS:
        user, is_new = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@funnel.example",
                "is_staff": group_name is None,
                "is_superuser": group_name is None,
            },
        )
        if is_new:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            created += 1
        if group_name:
            group, _ = Group.objects.get_or_create(name=group_name)
            user.groups.add(group)
        ctx.users[username] = user
    return f"users: {created} created, {len(DEMO_USERS) - created} already there"


def step_campaigns(ctx: DemoContext) -> str:
    today = ctx.now.date()
    created = 0
    for name, channel, utm, budget, started_days_ago, length in DEMO_CAMPAIGNS:
        starts_on = today - timedelta(days=started_days_ago)
        ends_on = starts_on + timedelta(days=length) if length else None
        campaign, is_new = Campaign.objects.get_or_create(
            utm_campaign=utm,
            defaults={
                "name": name,
                "channel": channel,
                "budget": Decimal(budget),
                "starts_on": starts_on,
                "ends_on": ends_on,
                "status": _campaign_status(starts_on, ends_on, today),
                "owner": ctx.users.get("marketer"),
            },
        )
        created += is_new
        ctx.campaigns.append(campaign)
    return f"campaigns: {created} created, {len(DEMO_CAMPAIGNS) - created} already there"


def step_leads(ctx: DemoContext) -> str:
    """~500 leads over the last year, each with the stage story planned for it.

    The plan is drawn from the fixed seed before looking at the database, so a second run
    plans the same emails and creates none of them again.
    """
    plans = [_plan_lead(ctx, index) for index in range(DEMO_LEADS)]
    existing = set(
        Lead.objects.filter(email__in=[plan.lead.email for plan in plans]).values_list(
            "email", flat=True
        )
    )
    new_plans = [plan for plan in plans if plan.lead.email not in existing]
    # All or nothing: a run that fails half-way leaves no lead without its history.
    with transaction.atomic():
        created = Lead.objects.bulk_create([plan.lead for plan in new_plans])
        for plan, lead in zip(new_plans, created, strict=True):
            _play_story(ctx, lead.pk, plan)
    ctx.leads = list(Lead.objects.filter(email__in=[plan.lead.email for plan in plans]))
    return f"leads: {len(new_plans)} created with their histories, {len(existing)} already there"


# The order matters: each step may use what the ones before it put on the context.
DEMO_STEPS: list[Callable[[DemoContext], str]] = [
    step_users,
    step_campaigns,
    step_leads,
    marketing_demo.step_marketing,
    sales_demo.step_sales,
    currencies_demo.step_currencies,
    mail_demo.step_mail,
]


def demo_seed(*, now: datetime | None = None) -> list[str]:
    ctx = demo_context(now=now)
    return [step(ctx) for step in DEMO_STEPS]


def _campaign_status(starts_on: date, ends_on: date | None, today: date) -> str:
    if starts_on > today:
        return Campaign.Status.PLANNED
    if ends_on is not None and ends_on < today:
        return Campaign.Status.COMPLETED
    return Campaign.Status.ACTIVE


def _plan_lead(ctx: DemoContext, index: int) -> PlannedLead:
    rng, faker = ctx.rng, ctx.faker
    first_name, last_name, company = faker.first_name(), faker.last_name(), faker.company()
    # Newer months bring more leads: the business is growing.
    age_days = DEMO_DAYS * (1 - rng.random() ** 0.8)
    created_at = ctx.now - timedelta(days=age_days, minutes=rng.randrange(24 * 60))
    email = normalize_email(f"{_slug(first_name)}.{_slug(last_name)}@{_domain(company)}")
    if email in ctx.planned_emails:
        email = email.replace("@", f"{index}@")
    ctx.planned_emails.add(email)
    lead = Lead(
        email=email,
        first_name=first_name,
        last_name=last_name,
        company=company,
        title=faker.job()[:200],
        phone=faker.numerify("+1 ###-###-####"),
        country=rng.choice(COUNTRIES),
        industry=rng.choice(INDUSTRIES),
        company_size=rng.choice(Lead.CompanySize.values),
        source_campaign=_source_campaign(ctx, created_at),
        marketing_consent=rng.random() < 0.6,
        created_at=created_at,
    )
    lead.marketing_consent_at = created_at if lead.marketing_consent else None
    owner = rng.choice(["rep1", "rep2"])
    moves = _plan_story(ctx, created_at, rep=owner)
    lead.score = _score(ctx, open_lead=not moves or moves[-1][0] == Stage.LEAD)
    return PlannedLead(lead=lead, moves=moves, owner=owner)


def _source_campaign(ctx: DemoContext, created_at: datetime) -> Campaign | None:
    day = created_at.date()
    running = [
        c
        for c in ctx.campaigns
        if c.starts_on and c.starts_on <= day and (c.ends_on is None or day <= c.ends_on)
    ]
    # About one lead in six arrives with no campaign (organic, word of mouth).
    if not running or ctx.rng.random() < 0.17:
        return None
    return ctx.rng.choice(running)


def _score(ctx: DemoContext, *, open_lead: bool) -> float:
    """A starting score; marketing's scoring recomputes it from touches and fit."""
    threshold = settings.FUNNEL_MQL_THRESHOLD
    if not open_lead:
        return round(ctx.rng.uniform(threshold, threshold * 1.8), 1)
    # Open leads sit below the threshold, or the qualification rule would move them all
    # within a minute of `make run`.
    return round(ctx.rng.uniform(0, threshold * 0.95), 1)


def _plan_story(ctx: DemoContext, created_at: datetime, *, rep: str) -> list:
    """The moves of one lead, drawn from rough funnel odds; a story stops at `now`."""
    rng = ctx.rng
    moves: list = []
    at = created_at

    def move(stage: Stage, min_days: float, max_days: float, cause: Cause, actor, reason=""):
        nonlocal at
        at = at + timedelta(days=rng.uniform(min_days, max_days))
        if at >= ctx.now:
            return False
        moves.append((stage, at, cause, actor, reason))
        return True

    roll = rng.random()
    if roll < 0.45:
        return moves  # Still being nurtured by marketing.
    if roll < 0.57:
        reason = rng.choice(DISQUALIFY_REASONS)
        if move(Stage.DISQUALIFIED, 1, 20, Cause.MANUAL, "marketer", reason) and rng.random() < 0.2:
            move(Stage.LEAD, 30, 120, Cause.MANUAL, "marketer", "Re-engaged: downloaded the guide.")
        return moves
    qualified_by_rule = rng.random() < 0.6
    if not move(
        Stage.PROSPECT,
        2,
        45,
        Cause.RULE if qualified_by_rule else Cause.MANUAL,
        None if qualified_by_rule else "marketer",
        "Score reached the MQL threshold." if qualified_by_rule else "Asked for a demo.",
    ):
        return moves
    outcome = rng.random()
    if outcome < 0.35:
        return moves  # An open prospect, still being worked.
    if outcome < 0.70:
        move(Stage.CUSTOMER, 10, 90, Cause.MANUAL, rep, "First deal won.")
    elif outcome < 0.88:
        if move(Stage.LOST, 10, 80, Cause.MANUAL, rep, rng.choice(LOST_REASONS)):
            follow_up = rng.random()
            if follow_up < 0.2:
                move(Stage.LEAD, 30, 90, Cause.MANUAL, "marketer", "Recycled for nurturing.")
            elif follow_up < 0.35 and move(
                Stage.PROSPECT, 30, 120, Cause.MANUAL, rep, "Reopened: budget approved."
            ):
                move(Stage.CUSTOMER, 10, 60, Cause.MANUAL, rep, "First deal won.")
    else:
        move(Stage.LEAD, 5, 40, Cause.MANUAL, rep, "Not ready yet: back to marketing.")
    return moves


def _play_story(ctx: DemoContext, lead_id: int, plan: PlannedLead) -> None:
    owner_name = plan.owner
    since = plan.lead.created_at
    for stage, at, cause, actor_name, reason in plan.moves:
        actor = ctx.users.get(actor_name) if actor_name else None
        # A rep's win or loss is a deal: sales makes the customer by winning it.
        made = sales_demo.story_move(
            lead_id=lead_id, stage=stage, at=at, since=since, actor=actor, reason=reason
        )
        since = at
        if made:
            continue
        services.lead_transition(
            lead_id=lead_id,
            to_stage=stage,
            cause=cause,
            actor=ctx.users.get(actor_name) if actor_name else None,
            reason=reason,
            at=at,
        )
        if stage == Stage.PROSPECT and owner_name:
            # The rep who works the story owns the prospect (owner is not stage: no history
            # row). The assignment task queued by the move then finds it owned: a no-op.
            Lead.objects.filter(pk=lead_id, owner__isnull=True).update(owner=ctx.users[owner_name])


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", ascii_text.lower()) or "contact"


def _domain(company: str) -> str:
    # `.example` is reserved (RFC 2606): demo addresses can never reach a real inbox.
    words = re.findall(r"[a-z0-9]+", unicodedata.normalize("NFKD", company).lower())
    stop = {"and", "inc", "llc", "ltd", "plc", "group", "sons"}
    return "-".join(word for word in words if word not in stop)[:40].strip("-") + ".example"
