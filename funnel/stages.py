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


class IllegalTransition(Exception):
    """A move the stage graph does not allow. The API maps it to 409, the UI to a message."""

    def __init__(self, from_stage: str, to_stage: str) -> None:
        self.from_stage = from_stage
        self.to_stage = to_stage
        super().__init__(f"A {from_stage} cannot move to {to_stage}.")


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


def can_move(from_stage: str, to_stage: str) -> bool:
    return Stage(to_stage) in ALLOWED_MOVES[Stage(from_stage)]


def next_stages(from_stage: str) -> list[Stage]:
    """Stages reachable in one move, in the graph's display order."""
    allowed = ALLOWED_MOVES[Stage(from_stage)]
    return [stage for stage in Stage if stage in allowed]


def sources_of(to_stage: str) -> frozenset[Stage]:
    """Stages from which a lead may move into `to_stage`."""
    target = Stage(to_stage)
    return frozenset(src for src, targets in ALLOWED_MOVES.items() if target in targets)


def check_move(from_stage: str, to_stage: str) -> None:
    if not can_move(from_stage, to_stage):
        raise IllegalTransition(from_stage, to_stage)
