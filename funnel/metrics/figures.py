"""The figures of one window (or one group of it), as plain data.

Definitions (docs/architecture.md, "Metric definitions"):
- cohort: leads created in the window;
- reached[s]: cohort members with a stage change into `s` at any time (so reached["lead"]
  counts cohort members that came back to `lead`: every member starts there);
- rates: reached[prospect] / cohort, reached[customer] / reached[prospect],
  reached[customer] / cohort; null when the denominator is zero;
- flow[s]: stage changes into `s` whose time is in the window;
- time_in_stage[s]: for moves out of `s` in the window, the days since the move into `s`
  (since creation for a lead's first `lead` stage); median and 90th percentile,
  continuous (PostgreSQL's percentile_cont).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from funnel.stages import Stage

STAGES: list[str] = [stage.value for stage in Stage]
# Integer codes the SQL groups and sorts on (integers sort faster than text).
STAGE_CODES: dict[str, int] = {stage: code for code, stage in enumerate(STAGES)}
# reached[stage] counts these lead columns: first arrival in each stage, kept by the one
# writer (funnel.services) in the move's transaction (leads.models.Lead).
MILESTONE_COLUMNS: dict[str, str] = {
    "lead": "returned_to_lead_at",
    "prospect": "became_prospect_at",
    "customer": "became_customer_at",
    "disqualified": "became_disqualified_at",
    "lost": "became_lost_at",
}
RATES: list[tuple[str, str, str]] = [
    # (name, numerator, denominator): "cohort" or a reached stage.
    ("lead_to_prospect", Stage.PROSPECT.value, "cohort"),
    ("prospect_to_customer", Stage.CUSTOMER.value, Stage.PROSPECT.value),
    ("lead_to_customer", Stage.CUSTOMER.value, "cohort"),
]


def rate(numerator: int, denominator: int) -> float | None:
    return None if not denominator else numerator / denominator


def _zero_counts() -> dict[str, int]:
    return dict.fromkeys(STAGES, 0)


@dataclass
class StageTime:
    moves: int = 0
    median_days: float | None = None
    p90_days: float | None = None


@dataclass
class Figures:
    cohort: int = 0
    reached: dict[str, int] = field(default_factory=_zero_counts)
    flow: dict[str, int] = field(default_factory=_zero_counts)
    time_in_stage: dict[str, StageTime] = field(
        default_factory=lambda: {stage: StageTime() for stage in STAGES}
    )

    @property
    def rates(self) -> dict[str, float | None]:
        def count(name: str) -> int:
            return self.cohort if name == "cohort" else self.reached[name]

        return {name: rate(count(num), count(den)) for name, num, den in RATES}

    def add_counts(self, other: Figures) -> None:
        """Add another group's counts (groups partition the window, so counts add up;
        percentiles do not, and are computed separately for totals)."""
        self.cohort += other.cohort
        for stage in STAGES:
            self.reached[stage] += other.reached[stage]
            self.flow[stage] += other.flow[stage]


@dataclass
class Group:
    key: str
    label: str
    figures: Figures


@dataclass
class FunnelReport:
    since: object
    until: object
    time_zone: str
    group_by: str | None
    filters: dict
    totals: Figures
    groups: list[Group]
