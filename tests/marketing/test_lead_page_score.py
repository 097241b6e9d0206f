"""The lead page explains the score in a card: each touch's points then and now, the fit
points, at a fixed number of queries however many touches the lead has."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from marketing.models import FitRule
from tests.factories import CampaignFactory, LeadFactory
from tests.marketing.factories import TouchFactory

pytestmark = pytest.mark.django_db
# Session, user, roles; the lead; the timeline's page and its rows; the score card: rules,
# fit rules, the listed touches (campaigns joined), their total, the fit points.
MAX_QUERIES = 3 + 6 + 5


@pytest.fixture
def lead(rep):
    now = timezone.now()
    lead = LeadFactory(owner=rep, industry="Software", score=12)
    FitRule.objects.create(field="industry", value="software", points=12)
    webinar = CampaignFactory(name="Spring webinar")
    TouchFactory(lead=lead, kind="webinar_attended", campaign=webinar, at=now - timedelta(days=30))
    TouchFactory(lead=lead, kind="email_click", at=now - timedelta(days=60))
    return lead


def score_card(client, lead) -> str:
    response = client.get(reverse("leads:detail", args=[lead.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('<section class="card score-explanation"')
    return html[start : html.index("</section>", start)]


def touch_rows(card: str) -> list[tuple[str, str, str]]:
    """(kind, points then, points now) per row of the card's table."""
    rows = re.findall(
        r"<tr>\s*<td>([^<]+)<span.*?</td>\s*<td class=\"num\">([^<]*)</td>\s*"
        r"<td class=\"num\"><span class=\"points-now\">([^<]*)</span></td>",
        card,
        flags=re.S,
    )
    return [(kind.strip(), then, now) for kind, then, now in rows]


def test_the_card_lists_each_touch_with_points_then_and_now(client, rep, lead):
    client.force_login(rep)
    card = score_card(client, lead)

    assert 'id="score-heading"' in card and ">Score</h2>" in card
    # Half-life 30 days: the webinar is one half-life old, the click two.
    assert touch_rows(card) == [("Webinar attended", "15", "7.50"), ("Email click", "3", "0.75")]
    assert "Spring webinar" in card
    assert "<dt>Industry</dt><dd>Software: 12 points</dd>" in card
    # The stored 12 lags behind (touches written straight into the table): said so.
    assert "The stored score (12.0)" in card


def test_a_lead_without_touches_says_so(client, rep):
    client.force_login(rep)
    card = score_card(client, LeadFactory(owner=rep))
    assert "No touches yet." in card and touch_rows(card) == []


def test_the_page_costs_the_same_however_many_touches(client, rep, lead):
    client.force_login(rep)

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("leads:detail", args=[lead.pk])).status_code == 200
        return len(queries)

    few = page_queries()
    for _ in range(60):
        TouchFactory(lead=lead, kind="page_visit", at=timezone.now() - timedelta(days=90))
    many = page_queries()

    assert few == many <= MAX_QUERIES
    card = score_card(client, lead)
    assert len(touch_rows(card)) == 50  # The latest 50 listed, the rest summed up.
    assert "and 12 older touches, counted in the total" in card
