"""Marketing edits the scoring rules on a page."""

import pytest
from django.urls import reverse

from marketing.models import FitRule, ScoringRules

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {
        "half_life_days": "10",
        "mql_threshold": "45",
        **{f"points_{k}": "2" for k in ScoringRules().touch_points},
        "fit-TOTAL_FORMS": "2",
        "fit-INITIAL_FORMS": "0",
        "fit-MIN_NUM_FORMS": "0",
        "fit-MAX_NUM_FORMS": "200",
        "fit-0-field": "industry",
        "fit-0-value": "Software",
        "fit-0-points": "15",
        "fit-1-field": "",
        "fit-1-value": "",
        "fit-1-points": "",
    }
    return data | overrides


def test_marketer_saves_rules(client, marketer):
    client.force_login(marketer)
    assert client.get(reverse("marketing:scoring")).status_code == 200
    response = client.post(reverse("marketing:scoring"), form_data())
    assert response.status_code == 302
    rules = ScoringRules.objects.get()
    assert (rules.half_life_days, rules.mql_threshold) == (10, 45)
    assert set(rules.touch_points.values()) == {2}
    assert list(FitRule.objects.values_list("field", "value", "points")) == [
        ("industry", "Software", 15)
    ]


def test_invalid_rules_are_shown_and_nothing_saved(client, marketer):
    client.force_login(marketer)
    response = client.post(reverse("marketing:scoring"), form_data(half_life_days="0"))
    assert response.status_code == 400
    assert ScoringRules.objects.get().half_life_days == 30
