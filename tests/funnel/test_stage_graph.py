"""The stage graph itself: pure Python, no database."""

import itertools

import pytest

from funnel.stages import (
    ALLOWED_MOVES,
    IllegalTransition,
    Stage,
    UnknownStage,
    can_move,
    check_move,
    next_stages,
    parse_stage,
    sources_of,
)

# docs/architecture.md's table, written out independently of funnel.stages.
EXPECTED_MOVES = {
    ("lead", "prospect"),
    ("lead", "disqualified"),
    ("prospect", "customer"),
    ("prospect", "lost"),
    ("prospect", "lead"),
    ("disqualified", "lead"),
    ("lost", "lead"),
    ("lost", "prospect"),
}
ALL_PAIRS = [(a, b) for a, b in itertools.product([s.value for s in Stage], repeat=2) if a != b]


def test_graph_is_exactly_the_design_table():
    actual = {(src.value, dst.value) for src, dsts in ALLOWED_MOVES.items() for dst in dsts}
    assert actual == EXPECTED_MOVES


@pytest.mark.parametrize(("from_stage", "to_stage"), sorted(EXPECTED_MOVES))
def test_allowed_moves(from_stage, to_stage):
    assert can_move(from_stage, to_stage)
    check_move(from_stage, to_stage)


@pytest.mark.parametrize(
    ("from_stage", "to_stage"), [p for p in ALL_PAIRS if p not in EXPECTED_MOVES]
)
def test_forbidden_moves(from_stage, to_stage):
    assert not can_move(from_stage, to_stage)
    with pytest.raises(IllegalTransition) as excinfo:
        check_move(from_stage, to_stage)
    assert from_stage in str(excinfo.value) and to_stage in str(excinfo.value)


def test_customer_is_terminal():
    assert next_stages("customer") == []


def test_sources_of_prospect():
    assert sources_of("prospect") == {Stage.LEAD, Stage.LOST}


def test_next_stages_in_display_order():
    assert next_stages("prospect") == [Stage.LEAD, Stage.CUSTOMER, Stage.LOST]


@pytest.mark.parametrize("value", ["", "Prospect", "won", None, 3])
def test_unknown_stage(value):
    with pytest.raises(UnknownStage):
        parse_stage(value)
