"""A rep's own pages: "My work" and the board. Every section is one bounded query."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils import timezone

from currencies.conversion import converted, money_round
from currencies.records import DEAL
from funnel.keyset import bounded_count
from funnel.stages import Stage
from leads.models import Lead
from sales.expressions import lead_quiet_since
from sales.models import Activity, Deal
from sales.selectors.quotas import Progress, my_quotas_now

SECTION_LIMIT = 50


@dataclass(frozen=True)
class Section:
    """Up to SECTION_LIMIT rows and whether more exist (never a full count)."""

    rows: list
    more: bool

    @classmethod
    def of(cls, queryset: QuerySet, limit: int = SECTION_LIMIT) -> "Section":
        rows = list(queryset[: limit + 1])
        return cls(rows=rows[:limit], more=len(rows) > limit)


@dataclass(frozen=True)
class MyWork:
    now: datetime
    local_date: date
    overdue: Section
    today: Section
    prospects: Section
    prospects_total: int
    open_deals: Section
    open_deals_count: int
    open_pipeline: Decimal
    quotas: list[tuple] = field(default_factory=list)
    stale_after_days: int = 0
    recycle_after_days: int = 0


def _day_bounds(now: datetime) -> tuple[datetime, datetime]:
    """Start of today and of tomorrow in the site's time zone."""
    local = timezone.localtime(now)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def open_tasks_of(user: AbstractBaseUser) -> QuerySet[Activity]:
    return (
        Activity.objects.filter(owner=user, done_at__isnull=True, due_at__isnull=False)
        .select_related("lead")
        .order_by("due_at", "id")
    )


def prospects_by_quiet(user: AbstractBaseUser, *, now: datetime) -> QuerySet[Lead]:
    """The user's prospects, longest without sales activity first, with how long, whether
    they have an open deal and when their next task is due."""
    next_task = (
        Activity.objects.filter(lead_id=OuterRef("pk"), done_at__isnull=True, due_at__isnull=False)
        .order_by("due_at")
        .values("due_at")[:1]
    )
    open_deal = Deal.objects.filter(lead_id=OuterRef("pk"), status=Deal.Status.OPEN)
    return (
        Lead.objects.filter(owner=user, stage=Stage.PROSPECT)
        .annotate(
            quiet_since=lead_quiet_since(),
            next_task_due=Subquery(next_task),
            has_open_deal=Exists(open_deal),
        )
        .order_by("quiet_since", "id")
    )


def quiet_days(since: datetime, now: datetime) -> int:
    return max((now - since).days, 0)


def my_work(*, user: AbstractBaseUser, now: datetime | None = None) -> MyWork:
    """Overdue and today's tasks, my prospects by days since last activity, my open deals
    and my quota progress this period. Eight queries whatever the data."""
    now = now or timezone.now()
    start, end = _day_bounds(now)
    tasks = open_tasks_of(user)
    prospects = prospects_by_quiet(user, now=now)
    deals = (
        Deal.objects.filter(owner=user, status=Deal.Status.OPEN)
        .select_related("lead")
        .order_by(F("expected_close_on").asc(nulls_last=True), "id")
    )
    # In the company currency: open deals convert at today's rate (currencies.records).
    pipeline = deals.order_by().aggregate(
        total=Sum(converted(DEAL, today=timezone.localdate(now))), count=Count("pk")
    )
    stale_days = settings.SALES_STALE_AFTER_DAYS
    prospect_rows = Section.of(prospects)
    for lead in prospect_rows.rows:
        lead.quiet_days = quiet_days(lead.quiet_since, now)
        lead.is_stale = bool(stale_days) and lead.quiet_days >= stale_days
    return MyWork(
        now=now,
        local_date=timezone.localdate(now),
        overdue=Section.of(tasks.filter(due_at__lt=start)),
        today=Section.of(tasks.filter(due_at__gte=start, due_at__lt=end)),
        prospects=prospect_rows,
        prospects_total=bounded_count(prospects, limit=1000),
        open_deals=Section.of(deals),
        open_deals_count=pipeline["count"],
        open_pipeline=money_round(pipeline["total"]),
        quotas=my_quotas_now(user=user, today=timezone.localdate(now)),
        stale_after_days=stale_days,
        recycle_after_days=settings.SALES_RECYCLE_AFTER_DAYS,
    )


# --- The board ------------------------------------------------------------------------

RECENT_DAYS = 30


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    help: str
    section: Section


def _open_deals_prefetch() -> Prefetch:
    return Prefetch(
        "deals",
        queryset=Deal.objects.filter(status=Deal.Status.OPEN).order_by("created_at", "id"),
        to_attr="open_deals",
    )


def board(*, user: AbstractBaseUser, now: datetime | None = None) -> list[Column]:
    """The user's prospects and recent results, by stage and deal status. Eight queries:
    one per column plus the open deals of the two columns that show them."""
    now = now or timezone.now()
    since = now - timedelta(days=RECENT_DAYS)
    open_deal = Exists(Deal.objects.filter(lead_id=OuterRef("pk"), status=Deal.Status.OPEN))
    mine = Lead.objects.filter(owner=user)
    prospects = mine.filter(stage=Stage.PROSPECT).annotate(
        quiet_since=lead_quiet_since(), has_open_deal=open_deal
    )
    no_deal = prospects.filter(has_open_deal=False).order_by("quiet_since", "id")
    with_deal = (
        prospects.filter(has_open_deal=True)
        .prefetch_related(_open_deals_prefetch())
        .order_by("quiet_since", "id")
    )
    repeat = (
        mine.filter(stage=Stage.CUSTOMER)
        .filter(open_deal)
        .annotate(
            won_deals=Subquery(
                Deal.objects.filter(lead_id=OuterRef("pk"), status=Deal.Status.WON)
                .order_by()
                .values("lead_id")
                .annotate(n=Count("pk"))
                .values("n"),
                output_field=IntegerField(),
            )
        )
        .prefetch_related(_open_deals_prefetch())
        .order_by("-stage_changed_at", "-id")
    )
    won = (
        Deal.objects.filter(owner=user, status=Deal.Status.WON, closed_at__gte=since)
        .select_related("lead")
        .order_by("-closed_at", "-id")
    )
    lost = mine.filter(stage=Stage.LOST, stage_changed_at__gte=since).order_by(
        "-stage_changed_at", "-id"
    )
    columns = [
        Column("no_deal", "Prospects", "No open deal yet.", Section.of(no_deal)),
        Column("open_deal", "Deal open", "Prospects negotiating a deal.", Section.of(with_deal)),
        Column("repeat", "Repeat business", "Customers with a new deal open.", Section.of(repeat)),
        Column("won", "Won", f"Deals won in the last {RECENT_DAYS} days.", Section.of(won)),
        Column("lost", "Lost", f"Prospects lost in the last {RECENT_DAYS} days.", Section.of(lost)),
    ]
    stale_days = settings.SALES_STALE_AFTER_DAYS
    for column in columns[:2]:
        for lead in column.section.rows:
            lead.quiet_days = quiet_days(lead.quiet_since, now)
            lead.is_stale = bool(stale_days) and lead.quiet_days >= stale_days
    return columns


__all__ = ["Column", "MyWork", "Progress", "Section", "board", "my_work"]
