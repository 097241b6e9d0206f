"""The score, computed the plain way in Python from the rows: what the SQL must match."""

import math
from datetime import datetime

from leads.models import Lead
from marketing.models import FitRule, ScoringRules, Touch


def expected_score(lead: Lead, *, rules: ScoringRules, now: datetime) -> float:
    total = 0.0
    for touch in Touch.objects.filter(lead=lead):
        age_days = max((now - touch.at).total_seconds() / 86400, 0.0)
        total += float(rules.touch_points.get(touch.kind, 0)) * 0.5 ** (
            age_days / rules.half_life_days
        )
    for rule in FitRule.objects.all():
        if getattr(lead, rule.field).lower() == rule.value.lower():
            total += rule.points
    return total


def close(a: float, b: float) -> bool:
    # Stored scores are rounded to cents.
    return math.isclose(a, b, abs_tol=0.006)
