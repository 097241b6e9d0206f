"""The forecast against quota and its weekly snapshots, against figures added up by hand."""

from datetime import date
from decimal import Decimal

import pytest

from funnel.stages import Cause
from sales.models import ForecastSnapshot
from sales.periods import period_containing
from sales.pipeline.forecast import forecast, forecast_history, forecast_snapshots_take
from sales.pipeline.services import deal_move
from tests.sales.factories import DealFactory, QuotaFactory, prospect

pytestmark = pytest.mark.django_db
Q1 = period_containing("quarter", date(2027, 3, 31))


def _deal(owner, amount, stage, close=date(2027, 3, 20)):
    deal = DealFactory(
        lead=prospect(owner=owner), owner=owner, amount=Decimal(amount), expected_close_on=close
    )
    if stage != "Qualification":
        extra = {"lost_reason": "Price"} if stage == "Lost" else {}
        deal_move(deal_id=deal.pk, to_stage=stage, actor=owner, cause=Cause.MANUAL, **extra)
    return deal


@pytest.fixture
def deals(rep, other_rep):
    _deal(rep, "1000", "Won")  # closed won today (31 March)
    _deal(rep, "400", "Negotiation")  # commit, 80 %
    _deal(rep, "300", "Proposal")  # best case, 50 %
    _deal(rep, "200", "Qualification")  # pipeline, 10 %
    _deal(rep, "999", "Negotiation", close=date(2027, 4, 2))  # next quarter: not counted
    _deal(rep, "50", "Lost")  # lost: nothing
    _deal(other_rep, "600", "Demo")  # pipeline, 25 %
    _deal(other_rep, "250", "Won")
    QuotaFactory(owner=rep, period="quarter", on=date(2027, 3, 1), target=Decimal("4000"))
    QuotaFactory(owner=other_rep, period="quarter", on=date(2027, 3, 1), target=Decimal("1000"))


def test_per_rep_figures(deals, rep, other_rep):
    result = forecast(period=Q1)
    rows = {r.owner_id: r for r in result.rows}
    mine = rows[rep.pk]
    assert mine.closed_won == Decimal("1000.00")
    assert mine.commit == Decimal("1400.00")  # 1000 + 400
    assert mine.best_case == Decimal("1700.00")  # + 300
    assert mine.weighted == Decimal("490.00")  # 400*.8 + 300*.5 + 200*.1
    assert mine.pipeline == Decimal("900.00")
    assert mine.target == Decimal("4000.00") and mine.attainment == 0.25
    theirs = rows[other_rep.pk]
    assert (theirs.closed_won, theirs.commit, theirs.weighted) == (
        Decimal("250.00"),
        Decimal("250.00"),
        Decimal("150.00"),
    )


def test_team_figures_add_every_deal_and_fall_back_to_the_reps_targets(deals):
    team = forecast(period=Q1).team
    assert team.closed_won == Decimal("1250.00")
    assert team.best_case == Decimal("1950.00")
    assert team.weighted == Decimal("640.00")
    assert team.target == Decimal("5000.00") and team.attainment == 0.25


def test_five_queries(deals, django_assert_num_queries):
    # Sums per owner, quotas, team members, teams, reps: whatever the number of deals.
    with django_assert_num_queries(5):
        forecast(period=Q1)


def test_the_weekly_snapshot_is_taken_once_per_week(deals, rep):
    written = forecast_snapshots_take(on=date(2027, 3, 31))
    assert written == 6  # (2 reps + team) x (month, quarter)
    assert forecast_snapshots_take(on=date(2027, 4, 2)) == 6  # a new week, a new quarter
    assert forecast_snapshots_take(on=date(2027, 3, 30)) == 0  # same week as the 31st
    snap = ForecastSnapshot.objects.get(
        taken_on=date(2027, 3, 29), period="quarter", starts_on=Q1.starts_on, owner=rep
    )
    assert (snap.commit, snap.weighted, snap.target) == (
        Decimal("1400.00"),
        Decimal("490.00"),
        Decimal("4000.00"),
    )


def test_history_shows_accuracy_against_what_closed(deals, rep):
    forecast_snapshots_take(on=date(2027, 3, 31))
    current = forecast(period=Q1)
    [line] = forecast_history(period=Q1, owner_id=None, current=current)
    # Team: commit 1650 vs 1250 closed: 1 - 400/1250; expected 1250 + 640.
    assert line.commit_accuracy == pytest.approx(1 - 400 / 1250)
    assert line.expected_accuracy == pytest.approx(1 - 640 / 1250)
