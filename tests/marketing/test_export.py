"""CSV export of a filtered lead list: streamed, filtered like the list, scoped to the user."""

import csv
import io

import pytest
from django.urls import reverse

from funnel.services import lead_transition
from funnel.stages import Cause
from tests.factories import CampaignFactory, LeadFactory

pytestmark = pytest.mark.django_db
URL = reverse("marketing:leads-export")


def rows(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_export_follows_the_list_filters(client, marketer):
    campaign = CampaignFactory(name="Expo")
    LeadFactory(email="a@example.com", source_campaign=campaign, first_name="=HYPERLINK(1)")
    LeadFactory(email="b@example.com")
    moved = LeadFactory(email="c@example.com", source_campaign=campaign)
    lead_transition(lead_id=moved.pk, to_stage="prospect", cause=Cause.MANUAL)
    client.force_login(marketer)

    everything = rows(client.get(URL))
    assert sorted(r["email"] for r in everything) == [
        "a@example.com",
        "b@example.com",
        "c@example.com",
    ]
    by_campaign = rows(client.get(URL, {"source_campaign": campaign.pk, "sort": "created"}))
    assert [r["email"] for r in by_campaign] == ["a@example.com", "c@example.com"]
    assert by_campaign[0]["source_campaign"] == "Expo"
    # A spreadsheet would run this as a formula: exported as text.
    assert by_campaign[0]["first_name"] == "'=HYPERLINK(1)"
    prospects = rows(client.get(URL, {"list": "prospects"}))
    assert [(r["email"], r["stage"]) for r in prospects] == [("c@example.com", "prospect")]
    assert [r["email"] for r in rows(client.get(URL, {"search": "b@"}))] == ["b@example.com"]


def test_a_rep_exports_only_what_they_may_see(client, rep, other_rep):
    LeadFactory(email="mine@example.com", owner=rep)
    LeadFactory(email="pool@example.com")
    LeadFactory(email="theirs@example.com", owner=other_rep)
    client.force_login(rep)
    assert sorted(r["email"] for r in rows(client.get(URL))) == [
        "mine@example.com",
        "pool@example.com",
    ]


def test_invalid_filter_is_400_not_a_bigger_export(client, marketer):
    LeadFactory()
    client.force_login(marketer)
    response = client.get(URL, {"created_after": "yesterday-ish"})
    assert response.status_code == 400


def test_login_required(client):
    assert client.get(URL).status_code == 302


def test_the_score_column_says_it_is_exact(client, marketer):
    # The list rounds the score to a whole number; the export keeps it exact and says so.
    LeadFactory(email="a@example.com", score=72.4567)
    client.force_login(marketer)
    (row,) = rows(client.get(URL))
    assert "score" not in row
    assert float(row["score_exact"]) == pytest.approx(72.4567)
