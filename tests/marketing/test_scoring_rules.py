"""Scoring rules: defaults from settings, updates validated, a recompute queued."""

import math

import pytest
from django.core.exceptions import ValidationError

from marketing.models import FitRule, ScoringRules
from marketing.scoring import scoring_rules_get, scoring_rules_update
from tests.factories import LeadFactory
from tests.marketing.factories import TouchFactory

pytestmark = pytest.mark.django_db


def valid(**overrides):
    data = {
        "touch_points": {"form_submit": 20, "page_visit": 2},
        "half_life_days": 14,
        "mql_threshold": 40,
        "fit_rules": [("industry", "Software", 10), ("country", "DE", -5)],
    }
    return data | overrides


def test_rules_row_exists_with_the_deployment_threshold(settings):
    rules = ScoringRules.objects.get()
    assert rules.mql_threshold == settings.FUNNEL_MQL_THRESHOLD
    assert rules.points_for("form_submit") == 10
    assert scoring_rules_get().pk == 1


def test_update_replaces_rules_and_recomputes_every_score_on_commit(
    marketer, eager_tasks, django_capture_on_commit_callbacks
):
    lead = LeadFactory(industry="software")
    TouchFactory(lead=lead, kind="form_submit")

    with django_capture_on_commit_callbacks(execute=True):
        scoring_rules_update(**valid(), actor=marketer)

    rules = ScoringRules.objects.get()
    assert rules.touch_points["form_submit"] == 20 and rules.touch_points["email_open"] == 0
    assert (rules.half_life_days, rules.mql_threshold, rules.updated_by) == (14, 40, marketer)
    assert sorted(FitRule.objects.values_list("field", "value", "points")) == [
        ("country", "DE", -5.0),
        ("industry", "Software", 10.0),
    ]
    lead.refresh_from_db()
    assert math.isclose(lead.score, 30, abs_tol=0.01)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"half_life_days": 0}, "half_life_days"),
        ({"half_life_days": float("nan")}, "half_life_days"),
        ({"mql_threshold": -1}, "mql_threshold"),
        ({"mql_threshold": "lots"}, "mql_threshold"),
        ({"touch_points": {"form_submit": 1e9}}, "touch_points.form_submit"),
        ({"touch_points": {"carrier_pigeon": 1}}, "touch_points"),
        ({"fit_rules": [("shoe_size", "44", 1)]}, "fit_rules"),
        ({"fit_rules": [("industry", "", 1)]}, "fit_rules"),
        ({"fit_rules": [("industry", "IT", 1), ("industry", "it", 2)]}, "fit_rules"),
    ],
)
def test_invalid_rules_are_refused_and_nothing_changes(overrides, field):
    FitRule.objects.create(field="industry", value="Retail", points=3)
    with pytest.raises(ValidationError) as error:
        scoring_rules_update(**valid(**overrides))
    assert field in error.value.message_dict
    assert list(FitRule.objects.values_list("value", flat=True)) == ["Retail"]
    assert ScoringRules.objects.get().half_life_days == 30
