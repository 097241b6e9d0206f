"""The forecast against quota (definitions: docs/architecture.md, "Forecast"), per rep and
for the team, for one month or quarter, and its weekly snapshots.

For a period, from the deals whose expected close date (open deals) or close date (won
deals) falls in it:

- closed won: won amounts closed in the period (as quota attainment counts them);
- commit: closed won + open deals in commit stages;
- best case: commit + open deals in best-case stages;
- weighted pipeline: Σ open amount x the stage's probability;
- pipeline: open amounts (omitted stages aside);
- attainment: closed won ÷ the quota target (null without one).

One aggregate query (grouped by owner) plus the quotas and the reps: three queries.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import DecimalField, ExpressionWrapper, F, Q, Sum

from currencies.conversion import EXACT, converted
from currencies.records import DEAL
from sales.models import AMOUNT_DIGITS, Deal, Quota
from sales.periods import Period, period_containing, today
from sales.pipeline.models import ForecastCategory, ForecastSnapshot
from sales.services.owners import active_sales_reps

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MONEY = DecimalField(**AMOUNT_DIGITS)


@dataclass(frozen=True)
class ForecastRow:
    owner_id: int | None  # None: the team
    label: str
    closed_won: Decimal
    commit: Decimal
    best_case: Decimal
    weighted: Decimal
    pipeline: Decimal
    target: Decimal | None

    @property
    def attainment(self) -> float | None:
        return float(self.closed_won / self.target) if self.target else None

    @property
    def expected(self) -> Decimal:
        """Closed won plus the weighted pipeline: what the probabilities expect to land."""
        return self.closed_won + self.weighted


@dataclass(frozen=True)
class Forecast:
    period: Period
    rows: list[ForecastRow]
    team: ForecastRow


def _sums(on: date) -> dict:
    """The forecast's sums in the company currency: each deal converted at its rate date
    (a won deal's close date, an open deal's `on`; currencies/records.py)."""
    open_ = Q(status=Deal.Status.OPEN)
    amount = converted(DEAL, today=on)
    weighted = ExpressionWrapper(amount * F("stage__probability") / 100, output_field=EXACT)
    return {
        "closed_won": Sum(amount, filter=Q(status=Deal.Status.WON)),
        "commit_open": Sum(
            amount, filter=open_ & Q(stage__forecast_category=ForecastCategory.COMMIT)
        ),
        "best_open": Sum(
            amount, filter=open_ & Q(stage__forecast_category=ForecastCategory.BEST_CASE)
        ),
        "weighted": Sum(weighted, filter=open_),
        "pipeline": Sum(
            amount, filter=open_ & ~Q(stage__forecast_category=ForecastCategory.OMITTED)
        ),
    }


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(CENT)


def _row(owner_id, label, sums: dict, target) -> ForecastRow:
    closed = _money(sums.get("closed_won"))
    commit = closed + _money(sums.get("commit_open"))
    return ForecastRow(
        owner_id=owner_id,
        label=label,
        closed_won=closed,
        commit=commit,
        best_case=commit + _money(sums.get("best_open")),
        weighted=_money(sums.get("weighted")),
        pipeline=_money(sums.get("pipeline")),
        target=target,
    )


def forecast_deals(period: Period):
    return Deal.objects.filter(
        Q(status=Deal.Status.WON, closed_on__range=(period.starts_on, period.ends_on))
        | Q(status=Deal.Status.OPEN, expected_close_on__range=(period.starts_on, period.ends_on))
    )


def forecast(
    *, period: Period, owner_ids: list[int] | None = None, on: date | None = None
) -> Forecast:
    """Every active rep (or those of `owner_ids`) and the team. The team counts every
    deal, whoever owns it (as a team quota does). Open deals convert at `on`'s rate."""
    sums = _sums(on or today())
    by_owner = {
        row.pop("owner_id"): row
        for row in forecast_deals(period).order_by().values("owner_id").annotate(**sums)
    }
    quotas = {
        quota.owner_id: quota.target
        for quota in Quota.objects.filter(period=period.kind, starts_on=period.starts_on)
    }
    reps = list(active_sales_reps().order_by("first_name", "username"))
    if owner_ids is not None:
        reps = [rep for rep in reps if rep.pk in owner_ids]
    rows = [
        _row(
            rep.pk,
            rep.get_full_name() or rep.get_username(),
            by_owner.get(rep.pk, {}),
            quotas.get(rep.pk),
        )
        for rep in reps
    ]
    team_sums = {
        key: sum((_money(row.get(key)) for row in by_owner.values()), ZERO)
        for key in ("closed_won", "commit_open", "best_open", "weighted", "pipeline")
    }
    rep_targets = [target for owner, target in quotas.items() if owner is not None]
    team_target = quotas.get(None) or (sum(rep_targets, ZERO) if rep_targets else None)
    return Forecast(period=period, rows=rows, team=_row(None, "Team", team_sums, team_target))


# --- Weekly snapshots ------------------------------------------------------------------


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def forecast_snapshots_take(*, on: date | None = None) -> int:
    """Snapshot this week's forecast of the current month and quarter, for every rep and
    the team. Once per week: a second run (or a second worker) that week inserts nothing
    (unique per week, period, start and owner; conflicts ignored). Returns rows written."""
    on = on or today()
    taken_on = week_start(on)
    written = 0
    for kind in ("month", "quarter"):
        period = period_containing(kind, on)
        result = forecast(period=period, on=on)
        snapshots = [
            ForecastSnapshot(
                taken_on=taken_on,
                period=kind,
                starts_on=period.starts_on,
                ends_on=period.ends_on,
                owner_id=row.owner_id,
                closed_won=row.closed_won,
                commit=row.commit,
                best_case=row.best_case,
                weighted=row.weighted,
                pipeline=row.pipeline,
                target=row.target,
            )
            for row in [*result.rows, result.team]
        ]
        with transaction.atomic():
            before = ForecastSnapshot.objects.filter(
                taken_on=taken_on, period=kind, starts_on=period.starts_on
            ).count()
            ForecastSnapshot.objects.bulk_create(snapshots, ignore_conflicts=True)
            written += (
                ForecastSnapshot.objects.filter(
                    taken_on=taken_on, period=kind, starts_on=period.starts_on
                ).count()
                - before
            )
    return written


@dataclass(frozen=True)
class SnapshotLine:
    snapshot: ForecastSnapshot
    actual: Decimal  # closed won for the period now

    def accuracy(self, figure: Decimal) -> float | None:
        """1 - |forecast - actual| ÷ actual: 1.0 is exact; null while nothing closed."""
        if not self.actual:
            return None
        return 1 - float(abs(figure - self.actual) / self.actual)

    @property
    def commit_accuracy(self) -> float | None:
        return self.accuracy(self.snapshot.commit)

    @property
    def expected_accuracy(self) -> float | None:
        return self.accuracy(self.snapshot.closed_won + self.snapshot.weighted)


def forecast_history(
    *, period: Period, owner_id: int | None, current: Forecast
) -> list[SnapshotLine]:
    """The period's weekly snapshots for one rep (or the team), oldest first, each beside
    what has closed won so far (`current`, the live forecast). One query."""
    snapshots = ForecastSnapshot.objects.filter(
        period=period.kind, starts_on=period.starts_on, owner_id=owner_id
    ).order_by("taken_on")
    if owner_id is None:
        actual = current.team.closed_won
    else:
        actual = next((r.closed_won for r in current.rows if r.owner_id == owner_id), ZERO)
    return [SnapshotLine(snapshot=snapshot, actual=actual) for snapshot in snapshots]
