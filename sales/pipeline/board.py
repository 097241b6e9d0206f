"""The deal board: one column per stage of the default pipeline, with a count and the raw
and weighted value of the deals in it, and the first cards. Six queries whatever the
number of deals (seven for managers): the pipeline and its stages, column totals (one
GROUP BY), the first CARD_LIMIT card ids of each stage (one LIMIT per stage) and their rows,
and the owners and teams the filters offer (managers only)."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import Count, ExpressionWrapper, F, Q, QuerySet, Sum

from currencies.conversion import EXACT, converted, money_round
from currencies.records import DEAL
from funnel.roles import is_manager
from sales.models import Deal, Team, TeamMember
from sales.periods import Period, period_containing, today
from sales.pipeline.models import DealStage, Pipeline
from sales.pipeline.stages import pipeline_default, stages_of
from sales.selectors.visibility import deals_visible_to
from sales.services.owners import active_sales_reps

CARD_LIMIT = 50
ZERO = Decimal("0.00")
# Won and lost columns without a close period: deals closed in the last this many days.
RECENT_CLOSED_DAYS = 30
PERIODS = {
    "this_month": "This month",
    "next_month": "Next month",
    "this_quarter": "This quarter",
    "next_quarter": "Next quarter",
}


CARD_ORDER = [F("expected_close_on").asc(nulls_last=True), "id"]


@dataclass(frozen=True)
class BoardFilters:
    owner_id: int | None = None  # None: the whole team (managers); a rep is always themself
    period: str = ""  # a PERIODS key, or "" for any close date
    team_id: int | None = None  # managers: one team's reps

    def close_period(self, on: date) -> Period | None:
        if not self.period:
            return None
        kind = "quarter" if self.period.endswith("quarter") else "month"
        current = period_containing(kind, on)
        return current.next() if self.period.startswith("next") else current


@dataclass
class Column:
    stage: DealStage
    count: int = 0
    total: Decimal = ZERO
    weighted: Decimal = ZERO
    cards: list = field(default_factory=list)

    @property
    def more(self) -> int:
        return max(self.count - len(self.cards), 0)


@dataclass(frozen=True)
class Board:
    pipeline: Pipeline
    columns: list[Column]
    filters: BoardFilters
    period: Period | None
    owners: list
    can_filter_owner: bool
    teams: list = field(default_factory=list)


def board_deals(user: AbstractBaseUser, filters: BoardFilters, *, on: date) -> QuerySet[Deal]:
    """The deals the board shows to `user`: a rep only their own; open deals by expected
    close date in the period, closed ones by their close date (without a period: closed
    in the last RECENT_CLOSED_DAYS days)."""
    manager = is_manager(user)
    # A rep's own deals (always within `deals_visible_to`): without its "or on my lead"
    # branch the owner index answers.
    deals = deals_visible_to(user) if manager else Deal.objects.filter(owner=user)
    if manager and filters.owner_id:
        deals = deals.filter(owner_id=filters.owner_id)
    if manager and filters.team_id:
        members = TeamMember.objects.filter(team_id=filters.team_id).values("user_id")
        deals = deals.filter(owner_id__in=members)
    period = filters.close_period(on)
    if period is None:
        closed = Q(closed_on__gte=on - timedelta(days=RECENT_CLOSED_DAYS))
        return deals.filter(Q(status=Deal.Status.OPEN) | closed)
    return deals.filter(
        Q(status=Deal.Status.OPEN, expected_close_on__range=(period.starts_on, period.ends_on))
        | Q(closed_on__range=(period.starts_on, period.ends_on))
    )


def deal_board(*, user: AbstractBaseUser, filters: BoardFilters, on: date | None = None) -> Board:
    on = on or today()
    pipeline = pipeline_default()
    columns = {stage.pk: Column(stage=stage) for stage in stages_of(pipeline)}
    deals = board_deals(user, filters, on=on).filter(stage__pipeline=pipeline)
    # Totals in the company currency: each deal at its rate date (currencies/records.py).
    amount = converted(DEAL, today=on)
    totals = (
        deals.order_by()
        .values("stage_id")
        .annotate(
            count=Count("id"),
            total=Sum(amount),
            weighted=Sum(
                ExpressionWrapper(amount * F("stage__probability") / 100, output_field=EXACT)
            ),
        )
    )
    for row in totals:
        column = columns[row["stage_id"]]
        column.count, column.total = row["count"], money_round(row["total"])
        column.weighted = money_round(row["weighted"])
    card_ids = _first_card_ids(deals, stage_ids=list(columns))
    cards = (
        Deal.objects.filter(pk__in=card_ids)
        .select_related("lead", "owner")
        .order_by("stage_id", *CARD_ORDER)
    )
    for deal in cards:
        columns[deal.stage_id].cards.append(deal)
    manager = is_manager(user)
    return Board(
        pipeline=pipeline,
        columns=list(columns.values()),
        filters=filters,
        period=filters.close_period(on),
        owners=list(active_sales_reps().order_by("first_name", "username")) if manager else [],
        can_filter_owner=manager,
        teams=list(Team.objects.order_by("name")) if manager else [],
    )


def _first_card_ids(deals: QuerySet[Deal], *, stage_ids: list[int]) -> list[int]:
    """The ids of each stage's first CARD_LIMIT deals, in one statement: a UNION ALL of
    one LIMIT query per stage, each walking the (stage, expected close) index and stopping
    early. (An OR of IN-subqueries, or a window function, makes the database read every
    deal of the board.) Each branch is wrapped in a derived table, which both PostgreSQL
    and SQLite accept with a LIMIT inside."""
    if not stage_ids:
        return []
    parts, params = [], []
    for number, stage_id in enumerate(stage_ids):
        branch = deals.filter(stage_id=stage_id).order_by(*CARD_ORDER).values("pk")[:CARD_LIMIT]
        sql, branch_params = branch.query.sql_with_params()
        parts.append(f"SELECT * FROM ({sql}) AS stage_{number}")
        params.extend(branch_params)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return [row[0] for row in cursor.fetchall()]
