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


def _close(deal, day, at):
    deal_update(deal_id=deal.pk, actor=deal.owner, expected_close_on=day, at=at)


def _at_noon(month, day):
    return datetime(2027, month, day, 12, tzinfo=UTC)


@pytest.fixture
def history(rep, other_rep):
    a = _deal(rep, _at(3, 1), expected=date(2027, 3, 15))
    _move(a, "Demo", _at(3, 3))  # 2 days in Qualification
    _close(a, date(2027, 3, 20), _at(3, 5))  # pushed out 5 days, within Demo
    _move(a, "Proposal", _at(3, 8))  # 5 days in Demo
    _move(a, "Won", _at(3, 10))  # 2 days in Proposal

    b = _deal(rep, _at(3, 1), expected=date(2027, 3, 10))
    _close(b, date(2027, 3, 9), _at(3, 2))  # pulled in: not a push
    _move(b, "Demo", _at(3, 5))  # 4 days
    _close(b, date(2027, 3, 30), _at_noon(3, 5))  # pushed out 21 days
    _move(b, "Lost", _at(3, 6))  # 1 day in Demo

    c = _deal(other_rep, _at(3, 2))
    _close(c, date(2027, 3, 20), _at(3, 3))  # no date before: nothing to compare
    _move(c, "Lost", _at(3, 12))  # 10 days in Qualification

    d = _deal(other_rep, _at(3, 1))
    _move(d, "Demo", _at(3, 2))  # 1 day, still open

    e = _deal(rep, _at(1, 10), expected=date(2027, 1, 20))
    _close(e, date(2027, 3, 1), _at(1, 15))  # pushed, but in January
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
    # Rows in March with a date before and after: a's Demo, edit, Proposal, Won (4);
    # b's edit, Demo, edit, Lost (4); c's Lost (its edit had no date before) = 9.
    # Pushed: a's edit +5, b's second edit +21; b's first edit pulled in.
    assert (slip.compared, slip.pushed, slip.deals_pushed, slip.days_pushed) == (9, 2, 2, 26)
    assert slip.rate == pytest.approx(2 / 9)
    assert slip.mean_days == pytest.approx(13.0)


def test_pushes_without_a_stage_move_count(rep):
    f = _deal(rep, _at(3, 1), expected=date(2027, 3, 10))
    _close(f, date(2027, 3, 17), _at(3, 4))  # +7
    _close(f, date(2027, 3, 15), _at(3, 5))  # pulled in 2
    _close(f, date(2027, 3, 24), _at(3, 6))  # +9
    slip = _figures().slippage
    assert (slip.compared, slip.pushed, slip.deals_pushed, slip.days_pushed) == (3, 2, 1, 16)
    kinds = list(f.stage_changes.order_by("at", "id").values_list("kind", flat=True))
    assert kinds == ["move", "edit", "edit", "edit"]


def test_figures_for_one_owner(history, other_rep):
    figures = _figures(owner_ids=[other_rep.pk])
    rates = {r.stage.name: (r.reached, r.won) for r in figures.win_rates}
    assert rates["Qualification"] == (1, 0)
    speed = {v.stage.name: (v.moves_out, v.median_days) for v in figures.velocity}
    assert speed["Qualification"] == (2, pytest.approx(5.5))  # [1, 10]
    assert figures.slippage.compared == 1  # c's Lost row; its edit had no date before


def test_three_queries_whatever_the_history(history, django_assert_num_queries):
    stages = stages_of(pipeline_default())
    with django_assert_num_queries(3):
        pipeline_metrics(stages=stages, window=MARCH)
