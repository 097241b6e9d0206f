"""Win rate by stage, velocity and slippage against numbers worked out by hand from a
small history (docs/architecture.md, "Deal pipeline metrics")."""

from datetime import UTC, date, datetime

import pytest

from funnel.metrics.window import Window
from funnel.stages import Cause, Stage
from sales.pipeline.metrics import pipeline_metrics
from sales.pipeline.services import deal_move
from sales.pipeline.stages import pipeline_default, stages_of
from sales.services import deal_update
from tests.sales.factories import DealFactory, lead_in

pytestmark = pytest.mark.django_db
MARCH = Window(date(2027, 3, 1), date(2027, 3, 31))


def _at(month, day):
    return datetime(2027, month, day, tzinfo=UTC)


def _deal(owner, created, expected=None):
    lead = lead_in(Stage.PROSPECT, owner=owner, at=_at(1, 2))
    return DealFactory(
        lead=lead,
        owner=owner,
        created_at=created,
        stage_changed_at=created,
        expected_close_on=expected,
    )


def _move(deal, stage, at, **extra):
    if stage == "Lost":
        extra.setdefault("lost_reason", "Price")
    deal_move(deal_id=deal.pk, to_stage=stage, actor=deal.owner, cause=Cause.MANUAL, at=at, **extra)


def _close(deal, day):
    deal_update(deal_id=deal.pk, actor=deal.owner, expected_close_on=day)


@pytest.fixture
def history(rep, other_rep):
    a = _deal(rep, _at(3, 1), expected=date(2027, 3, 15))
    _move(a, "Demo", _at(3, 3))  # 2 days in Qualification
    _close(a, date(2027, 3, 20))  # pushed out 5 days
    _move(a, "Proposal", _at(3, 8))  # 5 days in Demo
    _move(a, "Won", _at(3, 10))  # 2 days in Proposal

    b = _deal(rep, _at(3, 1), expected=date(2027, 3, 10))
    _close(b, date(2027, 3, 9))  # pulled in: not a push
    _move(b, "Demo", _at(3, 5))  # 4 days
    _close(b, date(2027, 3, 30))  # pushed out 21 days
    _move(b, "Lost", _at(3, 6))  # 1 day in Demo

    c = _deal(other_rep, _at(3, 2))
    _close(c, date(2027, 3, 20))  # no date before: nothing to compare
    _move(c, "Lost", _at(3, 12))  # 10 days in Qualification

    d = _deal(other_rep, _at(3, 1))
    _move(d, "Demo", _at(3, 2))  # 1 day, still open

    e = _deal(rep, _at(1, 10), expected=date(2027, 1, 20))
    _close(e, date(2027, 3, 1))
    _move(e, "Won", _at(2, 1))  # closed in February: outside the window


def _figures(owner_ids=None):
    stages = stages_of(pipeline_default())
    return pipeline_metrics(stages=stages, window=MARCH, owner_ids=owner_ids)


def test_win_rate_by_stage(history):
    rates = {r.stage.name: (r.reached, r.won, r.rate) for r in _figures().win_rates}
    assert rates == {
        "Qualification": (3, 1, pytest.approx(1 / 3)),
        "Demo": (2, 1, 0.5),
        "Proposal": (1, 1, 1.0),
        "Negotiation": (0, 0, None),
    }


def test_velocity_median_and_90th_percentile(history):
    speed = {v.stage.name: (v.moves_out, v.median_days, v.p90_days) for v in _figures().velocity}
    # Qualification: [1, 2, 4, 10]: median (2+4)/2; p90 at rank 2.7: 4 + 0.7 * 6.
    assert speed["Qualification"] == (4, pytest.approx(3.0), pytest.approx(8.2))
    # Demo: [1, 5]: median 3; p90 at rank 0.9: 1 + 0.9 * 4.
    assert speed["Demo"] == (2, pytest.approx(3.0), pytest.approx(4.6))
    assert speed["Proposal"] == (1, pytest.approx(2.0), pytest.approx(2.0))
    assert speed["Negotiation"] == (0, None, None)


def test_slippage(history):
    slip = _figures().slippage
    # Compared: a's Demo, Proposal, Won rows; b's Demo and Lost rows. Pushed: a +5, b +21.
    assert (slip.compared, slip.pushed, slip.deals_pushed, slip.days_pushed) == (5, 2, 2, 26)
    assert slip.rate == pytest.approx(0.4)
    assert slip.mean_days == pytest.approx(13.0)


def test_figures_for_one_owner(history, other_rep):
    figures = _figures(owner_ids=[other_rep.pk])
    rates = {r.stage.name: (r.reached, r.won) for r in figures.win_rates}
    assert rates["Qualification"] == (1, 0)
    speed = {v.stage.name: (v.moves_out, v.median_days) for v in figures.velocity}
    assert speed["Qualification"] == (2, pytest.approx(5.5))  # [1, 10]
    assert figures.slippage.compared == 0


def test_three_queries_whatever_the_history(history, django_assert_num_queries):
    stages = stages_of(pipeline_default())
    with django_assert_num_queries(3):
        pipeline_metrics(stages=stages, window=MARCH)
