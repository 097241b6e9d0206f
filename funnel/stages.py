"""The funnel's stages and the only moves allowed between them.

Pure Python, no database: the one writer (`funnel.services`) and every caller that
wants to know what is possible read the graph from here.
"""

from enum import StrEnum


class Stage(StrEnum):
    LEAD = "lead"
    PROSPECT = "prospect"
    CUSTOMER = "customer"
    DISQUALIFIED = "disqualified"
    LOST = "lost"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Cause(StrEnum):
    MANUAL = "manual"
    API = "api"
    RULE = "rule"
    TASK = "task"
    IMPORT = "import"


STAGE_CHOICES = [(stage.value, stage.label) for stage in Stage]
CAUSE_CHOICES = [(cause.value, cause.value.capitalize()) for cause in Cause]

ALLOWED_MOVES: dict[Stage, frozenset[Stage]] = {
    Stage.LEAD: frozenset({Stage.PROSPECT, Stage.DISQUALIFIED}),
    Stage.PROSPECT: frozenset({Stage.CUSTOMER, Stage.LOST, Stage.LEAD}),
    Stage.DISQUALIFIED: frozenset({Stage.LEAD}),
    Stage.LOST: frozenset({Stage.LEAD, Stage.PROSPECT}),
    # Repeat business is more won deals, not another stage.
    Stage.CUSTOMER: frozenset(),
}

# Moves that undo a recorded outcome: they exist in the graph but only a manager may make
# them, with a reason, through the same writer and ledger as every other move. They are
# never made in bulk (`sources_of` leaves them out) and metrics keep their definitions:
# a lead that was once a customer still counts in reached[customer].
RESTRICTED_MOVES: frozenset[tuple[Stage, Stage]] = frozenset(
    {
        # A customer recorded by mistake (a deal won in error, then reopened).
        (Stage.CUSTOMER, Stage.PROSPECT),
    }
)


class IllegalTransition(Exception):
    """A move the stage graph does not allow. The API maps it to 409, the UI to a message."""

    def __init__(self, from_stage: str, to_stage: str) -> None:
        self.from_stage = from_stage
        self.to_stage = to_stage
        super().__init__(f"A {from_stage} cannot move to {to_stage}.")


class MoveNeedsManager(IllegalTransition):
    """A restricted move (`RESTRICTED_MOVES`) asked for by someone who is not a manager.
    The API maps it to 403; pages show the message."""

    def __init__(self, from_stage: str, to_stage: str) -> None:
        super().__init__(from_stage, to_stage)
        self.args = (f"Only a manager can move a {from_stage} back to {to_stage}.",)

    def __str__(self) -> str:
        return self.args[0]


class UnknownStage(ValueError):
    def __init__(self, value: object) -> None:
        self.value = value
        choices = ", ".join(stage.value for stage in Stage)
        super().__init__(f"Unknown stage {value!r}; expected one of: {choices}.")


def parse_stage(value: object) -> Stage:
    try:
        return Stage(value)
    except ValueError:
        raise UnknownStage(value) from None


def is_restricted(from_stage: str, to_stage: str) -> bool:
    return (Stage(from_stage), Stage(to_stage)) in RESTRICTED_MOVES


def can_move(from_stage: str, to_stage: str, *, manager: bool = False) -> bool:
    if Stage(to_stage) in ALLOWED_MOVES[Stage(from_stage)]:
        return True
    return manager and is_restricted(from_stage, to_stage)


def next_stages(from_stage: str, *, manager: bool = False) -> list[Stage]:
    """Stages reachable in one move, in the graph's display order; a manager also gets
    the restricted moves."""
    return [stage for stage in Stage if can_move(from_stage, stage, manager=manager)]


def sources_of(to_stage: str) -> frozenset[Stage]:
    """Stages from which a lead may move into `to_stage`."""
    target = Stage(to_stage)
    return frozenset(src for src, targets in ALLOWED_MOVES.items() if target in targets)


def check_move(from_stage: str, to_stage: str, *, manager: bool = False) -> None:
    if can_move(from_stage, to_stage, manager=manager):
        return
    if is_restricted(from_stage, to_stage):
        raise MoveNeedsManager(from_stage, to_stage)
    raise IllegalTransition(from_stage, to_stage)
