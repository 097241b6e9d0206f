"""The deal board: one column per stage of the default pipeline, with a count and the raw
and weighted value of the deals in it, and the first cards. Six queries whatever the
number of deals: the pipeline and its stages, column totals (one GROUP BY), the first
CARD_LIMIT card ids of each stage (one LIMIT per stage) and their rows, and the owners the
filter offers (managers only)."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from funnel.roles import is_manager
from sales.models import AMOUNT_DIGITS, Deal
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


@dataclass(frozen=True)
class BoardFilters:
    owner_id: int | None = None  # None: the whole team (managers); a rep is always themself
    period: str = ""  # a PERIODS key, or "" for any close date

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


def board_deals(user: AbstractBaseUser, filters: BoardFilters, *, on: date) -> QuerySet[Deal]:
    """The deals the board shows to `user`: a rep only their own; open deals by expected
    close date in the period, closed ones by their close date (without a period: closed
    in the last RECENT_CLOSED_DAYS days)."""
    deals = deals_visible_to(user)
    if not is_manager(user):
        deals = deals.filter(owner=user)
    elif filters.owner_id:
        deals = deals.filter(owner_id=filters.owner_id)
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
    money = {"output_field": Deal._meta.get_field("amount").__class__(**AMOUNT_DIGITS)}
    totals = (
        deals.order_by()
        .values("stage_id")
        .annotate(
            count=Count("id"),
            total=Coalesce(Sum("amount"), Value(ZERO), **money),
            weighted=Coalesce(
                Sum(F("amount") * F("stage__probability") / 100), Value(ZERO), **money
            ),
        )
    )
    for row in totals:
        column = columns[row["stage_id"]]
        column.count, column.total = row["count"], row["total"]
        column.weighted = Decimal(row["weighted"]).quantize(Decimal("0.01"))
    # The first cards of each stage, one LIMIT subquery per stage in a single query: each
    # walks the (stage, expected close) index and stops after CARD_LIMIT rows, where a
    # window function would sort every deal of the board first.
    order = [F("expected_close_on").asc(nulls_last=True), "id"]
    first_cards = Q()
    for stage_id in columns:
        first_cards |= Q(
            pk__in=deals.filter(stage_id=stage_id).order_by(*order).values("pk")[:CARD_LIMIT]
        )
    # Their ids first (a few hundred), then the rows: in one statement the planner
    # expects the OR of subqueries to match every deal and hashes the whole lead table.
    card_ids = list(Deal.objects.filter(first_cards).values_list("pk", flat=True))
    cards = (
        Deal.objects.filter(pk__in=card_ids)
        .select_related("lead", "owner")
        .order_by("stage_id", *order)
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
    )
