"""A lead's score explained: each touch's points then and now, and the fit points."""

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from marketing.models import FitRule
from marketing.scoring import scores_recompute, scoring_rules_get
from marketing.selectors import lead_score_explanation
from tests.api.clients import token_client
from tests.factories import CampaignFactory, LeadFactory
from tests.marketing.factories import TouchFactory
from tests.marketing.scoring_reference import expected_score

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead():
    now = timezone.now()
    lead = LeadFactory(industry="Software", country="FR")
    FitRule.objects.create(field="industry", value="software", points=12)
    FitRule.objects.create(field="country", value="DE", points=5)
    campaign = CampaignFactory(name="Spring webinar")
    TouchFactory(lead=lead, kind="webinar_attended", campaign=campaign, at=now - timedelta(days=30))
    TouchFactory(lead=lead, kind="email_click", at=now - timedelta(days=60))
    return lead


def test_each_touch_then_and_now_and_fit_points(lead):
    now = timezone.now()
    explanation = lead_score_explanation(lead=lead, now=now)

    assert [(t.touch.kind, t.points_then) for t in explanation.touches] == [
        ("webinar_attended", 15.0),
        ("email_click", 3.0),
    ]
    # Half-life 30 days: one half-life and two.
    assert [t.points_now for t in explanation.touches] == [7.5, 0.75]
    assert [(f.field, f.value, f.points) for f in explanation.fit] == [
        ("industry", "Software", 12.0)
    ]
    assert explanation.total_now == pytest.approx(20.25, abs=0.01)
    assert explanation.total_now == pytest.approx(
        expected_score(lead, rules=scoring_rules_get(), now=now), abs=0.01
    )
    scores_recompute(now=now)
    lead.refresh_from_db()
    assert lead.score == explanation.total_now


def test_explanation_costs_a_fixed_number_of_queries(lead, django_assert_num_queries):
    for _ in range(30):
        TouchFactory(lead=lead)
    # Rules, fit rules, listed touches (with campaigns), their total, the fit points.
    with django_assert_num_queries(5):
        explanation = lead_score_explanation(lead=lead)
    assert explanation.touch_count == 32 and len(explanation.touches) == 32


def test_partial_renders_for_a_lead_page(lead):
    html = render_to_string("marketing/_score_explanation.html", {"lead": lead})
    assert "Webinar attended" in html and "Spring webinar" in html
    assert "7.50" in html and "0.75" in html
    assert "Industry" in html and "12 points" in html
    assert "Below the MQL threshold of 50" in html


def test_api_explains_a_visible_lead_and_hides_others(lead, rep, other_rep):
    lead.owner = rep
    lead.save()
    data = token_client(rep).get(f"/api/v1/leads/{lead.pk}/score/").json()
    assert data["threshold"] == 50 and data["touch_count"] == 2
    assert [t["points_then"] for t in data["touches"]] == [15.0, 3.0]
    assert data["fit"] == [{"field": "industry", "value": "Software", "points": 12.0}]
    assert token_client(other_rep).get(f"/api/v1/leads/{lead.pk}/score/").status_code == 404
