"""The forecast against quota (definitions: docs/architecture.md, "Forecast"), per rep, per
team and for the whole sales team (the company), for one month or quarter, and its weekly
snapshots.

For a period, from the deals whose expected close date (open deals) or close date (won
deals) falls in it:

- closed won: won amounts closed in the period (as quota attainment counts them);
- commit: closed won + open deals in commit stages;
- best case: commit + open deals in best-case stages;
- weighted pipeline: Σ open amount x the stage's probability;
- pipeline: open amounts (omitted stages aside);
- attainment: closed won ÷ the quota target (null without one).

One aggregate query (grouped by owner) plus the quotas, the reps, the teams and their
members: five queries whatever the number of deals.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import DecimalField, ExpressionWrapper, F, Q, Sum

from currencies.conversion import EXACT, converted
from currencies.records import DEAL
from sales.models import AMOUNT_DIGITS, Deal, Quota, Team, TeamMember
from sales.periods import Period, period_containing, today
from sales.pipeline.models import ForecastCategory, ForecastSnapshot
from sales.services.owners import active_sales_reps

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MONEY = DecimalField(**AMOUNT_DIGITS)


@dataclass(frozen=True)
class ForecastRow:
    owner_id: int | None  # None: a team (`team_id`) or the whole sales team
    label: str
    closed_won: Decimal
    commit: Decimal
    best_case: Decimal
    weighted: Decimal
    pipeline: Decimal
    target: Decimal | None
    team_id: int | None = None

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
    rows: list[ForecastRow]  # reps
    team: ForecastRow  # the whole sales team: every deal, whoever owns it
    teams: list[ForecastRow] = field(default_factory=list)  # named teams

    def row_for(self, *, owner_id: int | None = None, team_id: int | None = None):
        """The row of a rep, a team, or (neither) the whole sales team; None if absent."""
        if owner_id is None and team_id is None:
            return self.team
        rows = self.rows if owner_id is not None else self.teams
        key = "owner_id" if owner_id is not None else "team_id"
        wanted = owner_id if owner_id is not None else team_id
        return next((row for row in rows if getattr(row, key) == wanted), None)


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


SUM_KEYS = ("closed_won", "commit_open", "best_open", "weighted", "pipeline")


def _added(sums: list[dict]) -> dict:
    """Exact sums of several owners' sums (rounded once, in `_row`)."""
    return {key: sum((Decimal(s.get(key) or 0) for s in sums), Decimal(0)) for key in SUM_KEYS}


def _row(owner_id, label, sums: dict, target, team_id=None) -> ForecastRow:
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
        team_id=team_id,
    )


def forecast_deals(period: Period):
    return Deal.objects.filter(
        Q(status=Deal.Status.WON, closed_on__range=(period.starts_on, period.ends_on))
        | Q(status=Deal.Status.OPEN, expected_close_on__range=(period.starts_on, period.ends_on))
    )


def forecast(
    *,
    period: Period,
    owner_ids: list[int] | None = None,
    team_id: int | None = None,
    on: date | None = None,
) -> Forecast:
    """Every active rep (or those of `owner_ids`, or of team `team_id`), every team (or
    those of these reps, or `team_id`) and the whole sales team. A team adds up its
    members' deals; its target is its quota, else the sum of its members' quotas. The
    whole team counts every deal, whoever owns it (as its quota does); its target is its
    quota, else the sum of the reps' quotas. Open deals convert at `on`'s rate."""
    sums = _sums(on or today())
    by_owner = {
        row.pop("owner_id"): row
        for row in forecast_deals(period).order_by().values("owner_id").annotate(**sums)
    }
    rep_targets, team_targets, company_target = {}, {}, None
    for quota in Quota.objects.filter(period=period.kind, starts_on=period.starts_on):
        if quota.owner_id is not None:
            rep_targets[quota.owner_id] = quota.target
        elif quota.team_id is not None:
            team_targets[quota.team_id] = quota.target
        else:
            company_target = quota.target
    members: dict[int, list[int]] = {}
    for team, user in TeamMember.objects.values_list("team_id", "user_id"):
        members.setdefault(team, []).append(user)
    teams = list(Team.objects.order_by("name"))
    if team_id is not None:
        teams = [team for team in teams if team.pk == team_id]
        owner_ids = [o for o in members.get(team_id, []) if owner_ids is None or o in owner_ids]
    if owner_ids is not None:
        teams = [team for team in teams if set(members.get(team.pk, [])) & set(owner_ids)]
    reps = list(active_sales_reps().order_by("first_name", "username"))
    if owner_ids is not None:
        reps = [rep for rep in reps if rep.pk in owner_ids]
    rows = [
        _row(
            rep.pk,
            rep.get_full_name() or rep.get_username(),
            by_owner.get(rep.pk, {}),
            rep_targets.get(rep.pk),
        )
        for rep in reps
    ]
    team_rows = [
        _row(
            None,
            team.name,
            _added([by_owner.get(user, {}) for user in members.get(team.pk, [])]),
            team_targets.get(team.pk)
            or _sum_or_none([rep_targets[u] for u in members.get(team.pk, []) if u in rep_targets]),
            team_id=team.pk,
        )
        for team in teams
    ]
    team_target = company_target or _sum_or_none(list(rep_targets.values()))
    return Forecast(
        period=period,
        rows=rows,
        team=_row(None, "Whole team", _added(list(by_owner.values())), team_target),
        teams=team_rows,
    )


def _sum_or_none(targets: list[Decimal]) -> Decimal | None:
    return sum(targets, ZERO) if targets else None


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
                team_id=row.team_id,
                closed_won=row.closed_won,
                commit=row.commit,
                best_case=row.best_case,
                weighted=row.weighted,
                pipeline=row.pipeline,
                target=row.target,
            )
            for row in [*result.rows, *result.teams, result.team]
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
    *, period: Period, owner_id: int | None, current: Forecast, team_id: int | None = None
) -> list[SnapshotLine]:
    """The period's weekly snapshots for one rep, one team, or (neither) the whole sales
    team, oldest first, each beside what has closed won so far (`current`, the live
    forecast). One query."""
    snapshots = ForecastSnapshot.objects.filter(
        period=period.kind,
        starts_on=period.starts_on,
        owner_id=owner_id,
        team_id=None if owner_id is not None else team_id,
    ).order_by("taken_on")
    row = current.row_for(owner_id=owner_id, team_id=team_id)
    actual = row.closed_won if row is not None else ZERO
    return [SnapshotLine(snapshot=snapshot, actual=actual) for snapshot in snapshots]
