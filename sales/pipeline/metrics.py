"""Pipeline metrics from the deal stage history (definitions: docs/architecture.md,
"Deal pipeline metrics"). Each figure is one SQL aggregate over `DealStageChange`, for a
window of dates in the site's time zone (`funnel.metrics.window.Window`), optionally for
some owners only. A rate whose denominator is zero is null."""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q

from funnel.metrics.aggregates import DaysBetween, PercentileCont
from funnel.metrics.sql import fetch_rows
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
            from_stage__isnull=False,
            from_stage_entered_at__isnull=False,
            at__gte=window.start,
            at__lt=window.end,
        )
        .values("from_stage_id")
        .annotate(
            moves=Count("id"),
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
    """Close dates pushed out: every history row in the window compared with the deal's
    previous row (whenever that was); a push is a later expected close date than before.
    One statement (a window function over the deals moved in the window)."""
    table = DealStageChange._meta.db_table
    deals = Deal._meta.db_table
    params: list = [window.start, window.end]
    owner_sql = ""
    if owner_ids is not None:
        owner_sql = f" AND d.owner_id IN ({', '.join(['%s'] * len(owner_ids)) or 'NULL'})"
        params += list(owner_ids)
    params += [window.start, window.end]
    if connection.vendor == "postgresql":
        diff = "(expected_close_on - previous_close)"
    else:
        diff = "CAST(julianday(expected_close_on) - julianday(previous_close) AS INTEGER)"
    sql = f"""
        WITH moved AS (
            SELECT h.deal_id, h.at, h.expected_close_on,
                   LAG(h.expected_close_on) OVER (PARTITION BY h.deal_id ORDER BY h.at, h.id)
                       AS previous_close
            FROM {table} h
            WHERE h.deal_id IN (
                SELECT w.deal_id FROM {table} w JOIN {deals} d ON d.id = w.deal_id
                WHERE w.at >= %s AND w.at < %s{owner_sql}
            )
        )
        SELECT
            COUNT(*) AS compared,
            COUNT(*) FILTER (WHERE expected_close_on > previous_close) AS pushed,
            COUNT(DISTINCT CASE WHEN expected_close_on > previous_close THEN deal_id END)
                AS deals_pushed,
            COALESCE(SUM(CASE WHEN expected_close_on > previous_close THEN {diff} END), 0)
                AS days_pushed
        FROM moved
        WHERE at >= %s AND at < %s
          AND expected_close_on IS NOT NULL AND previous_close IS NOT NULL
    """
    row = fetch_rows(sql, params)[0]
    return Slippage(
        compared=row["compared"],
        pushed=row["pushed"],
        deals_pushed=row["deals_pushed"],
        days_pushed=int(row["days_pushed"] or 0),
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
