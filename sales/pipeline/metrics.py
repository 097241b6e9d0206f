"""Pipeline metrics from the deal stage history (definitions: docs/architecture.md,
"Deal pipeline metrics"). Each figure is one SQL aggregate over `DealStageChange`, for a
window of dates in the site's time zone (`funnel.metrics.window.Window`), optionally for
some owners only. A rate whose denominator is zero is null."""

from dataclasses import dataclass

from django.db.models import Count, F, Func, IntegerField, Q, Sum

from funnel.metrics.aggregates import DaysBetween, PercentileCont
from funnel.metrics.window import Window
from sales.models import Deal
from sales.pipeline.models import DealStage, DealStageChange


@dataclass(frozen=True)
class StageWinRate:
    stage: DealStage
    reached: int  # closed deals that were ever in the stage
    won: int

    @property
    def rate(self) -> float | None:
        return self.won / self.reached if self.reached else None


@dataclass(frozen=True)
class StageVelocity:
    stage: DealStage
    moves_out: int
    median_days: float | None
    p90_days: float | None


@dataclass(frozen=True)
class Slippage:
    compared: int  # moves in the window with an expected close date before and after
    pushed: int  # ... where it moved later
    deals_pushed: int
    days_pushed: int  # sum of the pushes, in days

    @property
    def rate(self) -> float | None:
        return self.pushed / self.compared if self.compared else None

    @property
    def mean_days(self) -> float | None:
        return self.days_pushed / self.pushed if self.pushed else None


def _owned(queryset, owner_ids, field="deal__owner_id"):
    return queryset if owner_ids is None else queryset.filter(**{f"{field}__in": owner_ids})


def win_rates(
    *, stages: list[DealStage], window: Window, owner_ids: list[int] | None = None
) -> list[StageWinRate]:
    """Per open stage: of the deals closed (won or lost) with a close date in the window
    that were ever in the stage, the share won. One query."""
    rows = (
        _owned(DealStageChange.objects, owner_ids)
        .filter(
            deal__status__in=[Deal.Status.WON, Deal.Status.LOST],
            deal__closed_on__gte=window.since,
            deal__closed_on__lte=window.until,
        )
        .values("to_stage_id")
        .annotate(
            reached=Count("deal_id", distinct=True),
            won=Count("deal_id", distinct=True, filter=Q(deal__status=Deal.Status.WON)),
        )
        .order_by()
    )
    by_stage = {row["to_stage_id"]: row for row in rows}
    return [
        StageWinRate(
            stage=stage,
            reached=by_stage.get(stage.pk, {}).get("reached", 0),
            won=by_stage.get(stage.pk, {}).get("won", 0),
        )
        for stage in stages
        if not stage.is_closed
    ]


def velocity(
    *, stages: list[DealStage], window: Window, owner_ids: list[int] | None = None
) -> list[StageVelocity]:
    """Per open stage: the days deals spent in it, for every move out of it in the window
    (`at - from_stage_entered_at`): count, median and 90th percentile (continuous). One
    query."""
    days = DaysBetween("from_stage_entered_at", "at")
    rows = (
        _owned(DealStageChange.objects, owner_ids)
        .filter(
            kind=DealStageChange.Kind.MOVE,
            from_stage__isnull=False,
            from_stage_entered_at__isnull=False,
            at__gte=window.start,
            at__lt=window.end,
        )
        .values("from_stage_id")
        .annotate(
            # COUNT(*), not COUNT(id): only columns of dealchange_velocity_idx are read,
            # so the index alone answers.
            moves=Count("*"),
            median=PercentileCont(days, 0.5),
            p90=PercentileCont(days, 0.9),
        )
        .order_by()
    )
    by_stage = {row["from_stage_id"]: row for row in rows}
    result = []
    for stage in stages:
        if stage.is_closed:
            continue
        row = by_stage.get(stage.pk, {})
        result.append(
            StageVelocity(
                stage=stage,
                moves_out=row.get("moves", 0),
                median_days=row.get("median"),
                p90_days=row.get("p90"),
            )
        )
    return result


def slippage(*, window: Window, owner_ids: list[int] | None = None) -> Slippage:
    """Close dates pushed out: every history row in the window (stage moves and edits of
    the expected close date alike) whose deal had an expected close date before it and
    still has one; a push is a later date than before. Each row carries the previous
    row's date (`previous_expected_close_on`, set by the writer), so this is one filtered
    aggregate over the window's rows, served by `dealchange_slippage_idx`."""
    pushed = Q(expected_close_on__gt=F("previous_expected_close_on"))
    rows = _owned(DealStageChange.objects, owner_ids).filter(
        at__gte=window.start,
        at__lt=window.end,
        expected_close_on__isnull=False,
        previous_expected_close_on__isnull=False,
    )
    figures = rows.aggregate(
        # Only columns of dealchange_slippage_idx: the index alone answers.
        compared=Count("*"),
        pushed=Count("deal", filter=pushed),
        deals_pushed=Count("deal_id", distinct=True, filter=pushed),
        days_pushed=Sum(
            DaysBetweenDates("previous_expected_close_on", "expected_close_on"), filter=pushed
        ),
    )
    return Slippage(
        compared=figures["compared"],
        pushed=figures["pushed"],
        deals_pushed=figures["deals_pushed"],
        days_pushed=int(figures["days_pushed"] or 0),
    )


class DaysBetweenDates(Func):
    """Whole days from one date column to another (a later second date is positive)."""

    output_field = IntegerField()

    def __init__(self, earlier: str, later: str):
        super().__init__(F(later), F(earlier))

    def as_sql(self, compiler, connection, **extra):
        return self.as_postgresql(compiler, connection, **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, template="(%(expressions)s)", arg_joiner=" - ", **extra
        )

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


@dataclass(frozen=True)
class PipelineMetrics:
    window: Window
    win_rates: list[StageWinRate]
    velocity: list[StageVelocity]
    slippage: Slippage


def pipeline_metrics(
    *, stages: list[DealStage], window: Window, owner_ids: list[int] | None = None
) -> PipelineMetrics:
    """All three, in three queries whatever the data (the stages are given)."""
    return PipelineMetrics(
        window=window,
        win_rates=win_rates(stages=stages, window=window, owner_ids=owner_ids),
        velocity=velocity(stages=stages, window=window, owner_ids=owner_ids),
        slippage=slippage(window=window, owner_ids=owner_ids),
    )
