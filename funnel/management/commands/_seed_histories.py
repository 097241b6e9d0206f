"""Realistic lead histories for `seed_bulk`, generated in plain Python from a seed.

Each lead is created at some moment of the seeded span (growing over time), gets a first
touch (its source campaign, when a campaign was running), more touches, and a walk through
the stage graph with realistic waits: qualified or disqualified, won or lost, recycled,
re-engaged, reopened. Every move is legal (`funnel.stages`), in time order, and the lead's
derived columns (stage, milestones) and each move's `from_stage_entered_at` agree with
the history, exactly as the one writer would have written them.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from funnel.stages import can_move

DAY = 86_400.0
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Where a lead goes next from each stage: (stage or None to stay, weight), and the median
# wait in days before the move (lognormal around it).
NEXT: dict[str, list[tuple[str | None, float]]] = {
    "lead": [("prospect", 0.50), ("disqualified", 0.38), (None, 0.12)],
    "prospect": [("customer", 0.21), ("lost", 0.46), ("lead", 0.30), (None, 0.03)],
    "disqualified": [("lead", 0.55), (None, 0.45)],
    "lost": [("lead", 0.45), ("prospect", 0.30), (None, 0.25)],
}
MEDIAN_WAIT_DAYS = {"lead": 9.0, "prospect": 21.0, "disqualified": 60.0, "lost": 45.0}
MAX_MOVES = 12

TOUCH_KINDS = ["page_visit", "email_open", "email_click", "content_download", "webinar_attended"]
FIRST_TOUCH_KINDS = ["form_submit", "content_download", "webinar_attended", "event_attended"]
LOST_REASONS = ["Price", "Went with a competitor", "No budget", "Timing", "No decision"]


def ts(value: float) -> datetime:
    return EPOCH + timedelta(seconds=value)


@dataclass
class CampaignSpan:
    id: int
    start: float  # epoch seconds
    end: float


@dataclass
class LeadHistory:
    created: float
    source_campaign: int | None
    owner: int | None
    stage: str = "lead"
    stage_changed: float | None = None
    # First arrival in each stage moved into (the lead's milestone columns).
    first_into: dict[str, float] = field(default_factory=dict)
    # (from, to, at, from_stage_entered_at)
    moves: list[tuple[str, str, float, float]] = field(default_factory=list)
    # (campaign id or None, kind, at)
    touches: list[tuple[int | None, str, float]] = field(default_factory=list)
    # (status, amount, created, closed or None, expected close or None, lost reason)
    deals: list[tuple[str, float, float, float | None, float | None, str]] = field(
        default_factory=list
    )


class HistoryGenerator:
    def __init__(
        self, *, seed: int, start: float, end: float, campaigns: list[CampaignSpan], reps: list[int]
    ) -> None:
        self.rng = random.Random(seed)
        self.start, self.end = start, end
        self.campaigns = sorted(campaigns, key=lambda c: c.start)
        self._starts = [c.start for c in self.campaigns]
        self.reps = reps
        self._next_rep = 0

    def created_at(self, index: int, total: int) -> float:
        """Lead `index` of `total`, in creation order; volume grows over the span."""
        position = ((index + self.rng.random()) / total) ** 0.8
        return self.start + (self.end - self.start) * position

    def running_campaign(self, at: float) -> int | None:
        upto = bisect.bisect_right(self._starts, at)
        candidates = [c for c in self.campaigns[max(0, upto - 12) : upto] if c.end >= at]
        return self.rng.choice(candidates).id if candidates else None

    def _wait(self, stage: str) -> float:
        return DAY * self.rng.lognormvariate(0, 0.9) * MEDIAN_WAIT_DAYS[stage]

    def _next_stage(self, stage: str) -> str | None:
        roll, total = self.rng.random(), 0.0
        for target, weight in NEXT[stage]:
            total += weight
            if roll < total:
                return target
        return None

    def _rep(self) -> int | None:
        if not self.reps:
            return None
        self._next_rep = (self._next_rep + 1) % len(self.reps)
        return self.reps[self._next_rep]

    def lead(self, created: float) -> LeadHistory:
        rng = self.rng
        source = self.running_campaign(created) if rng.random() < 0.8 else None
        history = LeadHistory(created=created, source_campaign=source, owner=None)
        history.touches.append((source, rng.choice(FIRST_TOUCH_KINDS), created))

        stage, entered, at = "lead", created, created
        while len(history.moves) < MAX_MOVES and stage != "customer":
            target = self._next_stage(stage)
            at = entered + self._wait(stage)
            if target is None or at >= self.end:
                break
            assert can_move(stage, target)
            history.moves.append((stage, target, at, entered))
            history.first_into.setdefault(target, at)
            if target == "prospect":
                if history.owner is None:
                    history.owner = self._rep()
            elif target == "customer":
                history.deals.append(("won", self._amount(), entered, at, None, ""))
            elif target == "lost" and rng.random() < 0.6:
                history.deals.append(
                    ("lost", self._amount(), entered, at, None, rng.choice(LOST_REASONS))
                )
            stage, entered = target, at
        history.stage = stage
        history.stage_changed = history.moves[-1][2] if history.moves else None

        if stage == "prospect" and rng.random() < 0.5:
            expected = min(entered + self._wait("prospect"), self.end + 90 * DAY)
            history.deals.append(("open", self._amount(), entered, None, expected, ""))
        if stage == "customer":
            # Repeat business: more won deals, not another stage.
            later = entered
            while rng.random() < 0.35:
                later += DAY * rng.lognormvariate(0, 0.5) * 120
                if later >= self.end:
                    break
                history.deals.append(
                    ("won", self._amount() * 0.6, later - 14 * DAY, later, None, "")
                )
        self._more_touches(history)
        return history

    def _amount(self) -> float:
        return round(min(self.rng.lognormvariate(0, 0.7) * 12_000, 900_000), 2)

    def _more_touches(self, history: LeadHistory) -> None:
        rng = self.rng
        horizon = min(
            self.end, (history.moves[-1][2] if history.moves else history.created) + 30 * DAY
        )
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3, 4))):
            at = history.created + rng.random() * max(horizon - history.created, 60.0)
            if at <= history.created or at >= self.end:
                continue
            campaign = history.source_campaign if rng.random() < 0.5 else self.running_campaign(at)
            history.touches.append((campaign, rng.choice(TOUCH_KINDS), at))
