"""Exact percentiles from duration buckets, shared by the rollup and keyed readers.

percentile_cont(p) over n durations needs the values at ranks floor(p(n-1)) and
ceil(p(n-1)). A first pass counts moves per duration bucket (buckets are ordered: every
value of bucket b is below every value of bucket b + 1), which names the one bucket that
holds each wanted rank and the rank's offset there; the caller then reads only those
buckets' durations, and `stage_times` interpolates exactly as PostgreSQL's
percentile_cont does.
"""

from __future__ import annotations

import math
import sys
from array import array
from collections import defaultdict
from dataclasses import dataclass

from funnel.metrics.figures import STAGES, Figures, StageTime

PERCENTILES = (0.5, 0.9)
Key = str | None
# One bucket of one (group, stage left): (group key, stage code, bucket).
Target = tuple[Key, int, int]


@dataclass
class RankPlan:
    """Where the ranks of each percentile of one (group, stage) are."""

    moves: int
    # Per percentile: (fraction, position, (target, offset) of floor, of ceil).
    ranks: list[tuple[float, float, tuple[Target, int], tuple[Target, int]]]


def locate(counts: dict[int, int], rank: int) -> tuple[int, int]:
    """The bucket holding the 0-based `rank` and the rank's offset inside it."""
    before = 0
    for bucket in sorted(counts):
        if rank < before + counts[bucket]:
            return bucket, rank - before
        before += counts[bucket]
    raise AssertionError(f"rank {rank} beyond {before} moves")  # counts are consistent


def plan_ranks(counts: dict[tuple[Key, int], dict[int, int]]) -> dict[tuple[Key, int], RankPlan]:
    """Plans for every (group, stage) with moves, from its moves per bucket."""
    plans = {}
    for (key, code), buckets in counts.items():
        n = sum(buckets.values())
        if not n:
            continue
        ranks = []
        for fraction in PERCENTILES:
            position = fraction * (n - 1)
            lo, hi = (locate(buckets, rank) for rank in (math.floor(position), math.ceil(position)))
            ranks.append(
                (fraction, position, ((key, code, lo[0]), lo[1]), ((key, code, hi[0]), hi[1]))
            )
        plans[(key, code)] = RankPlan(moves=n, ranks=ranks)
    return plans


def targets_of(plans: dict[tuple[Key, int], RankPlan]) -> list[Target]:
    """Every bucket whose durations the plans need, once each."""
    targets = {}
    for plan in plans.values():
        for _fraction, _position, (lo, _), (hi, _) in plan.ranks:
            targets[lo] = targets[hi] = None
    return list(targets)


def stage_times(
    plans: dict[tuple[Key, int], RankPlan], values: dict[Target, list[float]]
) -> dict[tuple[Key, int], StageTime]:
    """Median and p90 per (group, stage); `values` holds each target's sorted durations."""
    result = {}
    for group, plan in plans.items():
        found = {}
        for fraction, position, (lo, lo_off), (hi, hi_off) in plan.ranks:
            lower, upper = values[lo][lo_off], values[hi][hi_off]
            # PostgreSQL's percentile_cont: lower + (upper - lower) * (position - floor).
            weight = position - math.floor(position)
            found[fraction] = lower if weight == 0 else lower + (upper - lower) * weight
        result[group] = StageTime(moves=plan.moves, median_days=found[0.5], p90_days=found[0.9])
    return result


def unpack(chunks: list[bytes]) -> list[float]:
    """Durations packed by float8send (8 bytes each, big-endian)."""
    values = array("d")
    for chunk in chunks:
        values.frombytes(chunk)
    if sys.byteorder == "little":
        values.byteswap()
    return values.tolist()


def grouped_figures(
    plans: dict[tuple[Key, int], RankPlan],
    values: dict[Target, list[float]],
    flows: dict[Key, dict[str, int]],
) -> tuple[dict[str, Figures], Figures | None]:
    """Time in stage and flow per group, and in total (key None), as the readers return
    them to funnel_report."""
    grouped: dict[str, Figures] = defaultdict(Figures)
    total: Figures | None = None
    for (key, code), stage_time in stage_times(plans, values).items():
        figures = grouped[key] if key is not None else (total := total or Figures())
        figures.time_in_stage[STAGES[code]] = stage_time
    for key, flow in flows.items():
        if key is None:
            total = total or Figures()
            total.flow = flow
        else:
            grouped[key].flow = flow
    return dict(grouped), total
