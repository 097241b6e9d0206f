"""Quota attainment (docs/architecture.md, "Metric definitions"): won deal amount with a
close date in the quota's period, for its owner (a team quota: every won deal), divided by
the target. Amounts are converted to the company currency at each deal's close date (in
the query: currencies.conversion), summed exactly and rounded to cents once. Pace
compares the won amount with the share of the target that time elapsed so far calls for."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.db.models import Case, OuterRef, QuerySet, Subquery, Sum, When
from django.db.models.functions import Coalesce

from currencies.conversion import EXACT, converted, money_round
from currencies.records import DEAL
from sales.models import Deal, Quota
from sales.periods import Period
from sales.services.owners import active_sales_reps
from sales.teams.models import Team, TeamMember

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Progress:
    """Attainment figures of one target over one period, as of `today`."""

    period: Period
    target: Decimal | None
    won: Decimal
    today: date

    @property
    def attainment(self) -> float | None:
        """won ÷ target; None without a target (a rate with no denominator is null)."""
        if not self.target:
            return None
        return float(self.won / self.target)

    @property
    def attainment_percent(self) -> float | None:
        return None if self.attainment is None else round(self.attainment * 100, 1)

    @property
    def gap(self) -> Decimal | None:
        """What is still missing to reach the target (0 once reached)."""
        if self.target is None:
            return None
        return max(self.target - self.won, ZERO)

    @property
    def elapsed(self) -> float:
        return self.period.elapsed_fraction(self.today)

    @property
    def expected_to_date(self) -> Decimal | None:
        """The won amount a steady pace would have reached by the end of today."""
        if self.target is None:
            return None
        return (self.target * Decimal(str(self.elapsed))).quantize(Decimal("0.01"))

    @property
    def pace(self) -> float | None:
        """won ÷ expected so far: 1.0 is on pace, above is ahead; None before the period."""
        expected = self.expected_to_date
        if not expected:
            return None
        return float(self.won / expected)

    @property
    def on_pace(self) -> bool | None:
        pace = self.pace
        return None if pace is None else pace >= 1.0


def _won_converted() -> models.Expression:
    # Won deals have a close date: it is their rate date, so "today" is never used.
    return Sum(converted(DEAL, today=date.min))


def _won_in_period(**owner_filter) -> Subquery:
    won = (
        Deal.objects.filter(
            status=Deal.Status.WON,
            closed_on__gte=OuterRef("starts_on"),
            closed_on__lte=OuterRef("ends_on"),
            **owner_filter,
        )
        .order_by()
        .values("status")
        .annotate(total=_won_converted())
        .values("total")
    )
    return Subquery(won, output_field=EXACT)


def quotas_with_won(queryset: QuerySet[Quota]) -> QuerySet[Quota]:
    """Annotate `won` on each quota in the same query (two correlated sums, one used)."""
    return queryset.annotate(
        won=Coalesce(
            Case(
                When(owner__isnull=True, team__isnull=True, then=_won_in_period()),
                When(
                    team__isnull=False,
                    then=_won_in_period(owner__team_membership__team_id=OuterRef("team_id")),
                ),
                default=_won_in_period(owner_id=OuterRef("owner_id")),
                output_field=EXACT,
            ),
            ZERO,
            output_field=EXACT,
        )
    )


def quota_progress(quota: Quota, *, today: date) -> Progress:
    """Figures of a quota from `quotas_with_won`."""
    return Progress(
        period=Period(quota.period, quota.starts_on, quota.ends_on),
        target=quota.target,
        won=money_round(quota.won),
        today=today,
    )


def my_quotas_now(*, user: AbstractBaseUser, today: date) -> list[tuple[Quota, Progress]]:
    """The user's quotas whose period contains today (a month and a quarter may both),
    shortest period first. One query."""
    # A month ends on or before its quarter; in a quarter's last month both end on the
    # same day, and the later start (the month) is the shorter period.
    quotas = quotas_with_won(
        Quota.objects.filter(owner=user, starts_on__lte=today, ends_on__gte=today)
    ).order_by("ends_on", "-starts_on")
    return [(quota, quota_progress(quota, today=today)) for quota in quotas]


@dataclass(frozen=True)
class RepRow:
    rep: AbstractBaseUser
    quota: Quota | None
    progress: Progress


@dataclass(frozen=True)
class TeamRow:
    """A named team: its own quota beside what its reps (members now) won."""

    team: Team
    quota: Quota | None
    progress: Progress
    reps: int


@dataclass(frozen=True)
class QuotaBoard:
    period: Period
    rows: list[RepRow]
    team_quota: Quota | None
    team: Progress
    # Sum of the reps' targets: the team target when no team quota is set.
    reps_target: Decimal | None
    teams: list[TeamRow]

    @property
    def targets_gap(self) -> Decimal | None:
        """Team target minus the sum of the reps' targets, when both exist and differ: a
        team target is set on its own (room for hires, targets not yet split), so the page
        says by how much they disagree instead of leaving two numbers to puzzle over."""
        if self.team_quota is None or self.reps_target is None:
            return None
        gap = self.team_quota.target - self.reps_target
        return gap or None


def quota_board(*, period: Period, today: date, teams: bool = False) -> QuotaBoard:
    """Every active rep (with or without a quota), each named team and the whole team for
    one period, for the managers' quota page. Five queries: reps, quotas of the period, won
    sums per owner, teams, team members."""
    reps = list(active_sales_reps())
    quotas: dict[int | None, Quota] = {}
    team_quotas: dict[int, Quota] = {}
    for quota in Quota.objects.filter(period=period.kind, starts_on=period.starts_on):
        if quota.team_id is None:
            quotas[quota.owner_id] = quota  # a rep's, or the whole team's (owner None)
        else:
            team_quotas[quota.team_id] = quota
    won_by_owner = dict(
        Deal.objects.filter(
            status=Deal.Status.WON,
            closed_on__gte=period.starts_on,
            closed_on__lte=period.ends_on,
        )
        .order_by()
        .values("owner_id")
        .annotate(total=_won_converted())
        .values_list("owner_id", "total")
    )
    rows = []
    for rep in reps:
        quota = quotas.get(rep.pk)
        rows.append(
            RepRow(
                rep=rep,
                quota=quota,
                progress=Progress(
                    period=period,
                    target=quota.target if quota else None,
                    won=money_round(won_by_owner.get(rep.pk)),
                    today=today,
                ),
            )
        )
    targets = [row.quota.target for row in rows if row.quota]
    reps_target = sum(targets, ZERO) if targets else None
    team_quota = quotas.get(None)
    # Exact totals added up, then rounded once: the team figure is not a sum of roundings.
    team_won = money_round(sum((total or ZERO for total in won_by_owner.values()), ZERO))
    team = Progress(
        period=period,
        target=team_quota.target if team_quota else reps_target,
        won=team_won,
        today=today,
    )
    return QuotaBoard(
        period=period,
        rows=rows,
        team_quota=team_quota,
        team=team,
        reps_target=reps_target,
        teams=_team_rows(period, today, team_quotas, won_by_owner) if teams else [],
    )


def _team_rows(
    period: Period, today: date, quotas: dict[int, Quota], won_by_owner: dict
) -> list[TeamRow]:
    members: dict[int, list[int]] = {}
    for team_id, user_id in TeamMember.objects.values_list("team_id", "user_id"):
        members.setdefault(team_id, []).append(user_id)
    rows = []
    for team in Team.objects.order_by("name"):
        reps = members.get(team.pk, [])
        won = sum((won_by_owner.get(rep) or ZERO for rep in reps), ZERO)
        quota = quotas.get(team.pk)
        rows.append(
            TeamRow(
                team=team,
                quota=quota,
                reps=len(reps),
                progress=Progress(
                    period=period,
                    target=quota.target if quota else None,
                    won=money_round(won),
                    today=today,
                ),
            )
        )
    return rows
