from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from funnel.services import lead_transition
from funnel.stages import Cause
from marketing.models import Touch
from sales import services
from sales.selectors import lead_timeline
from tests.factories import CampaignFactory
from tests.sales.factories import lead_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(rep, manager, other_rep):
    """A lead with one of everything, at known, distinct moments."""
    start = timezone.now() - timedelta(days=10)
    lead = lead_in("lead", owner=rep, at=start)
    campaign = CampaignFactory(name="Spring webinar")
    Touch.objects.create(lead=lead, campaign=campaign, kind="webinar_attended", at=start)
    lead_transition(
        lead_id=lead.pk, to_stage="prospect", cause=Cause.RULE, at=start + timedelta(days=1)
    )
    services.activity_create(
        lead=lead,
        kind="call",
        subject="Discovery",
        created_by=rep,
        done_at=start + timedelta(days=2),
    )
    deal = services.deal_create(lead=lead, title="Pilot", amount=Decimal("900"), created_by=rep)
    services.lead_reassign(lead_id=lead.pk, to_owner=other_rep, actor=manager, reason="Holiday")
    services.deal_win(deal_id=deal.pk, actor=manager, cause=Cause.MANUAL)
    return lead


def kinds(page):
    return [entry.kind for entry in page.entries]


def test_entries_of_every_kind_newest_first(story, manager):
    page = lead_timeline(user=manager, lead=story)

    # The win and the move it caused share a moment: the deal sorts above its move.
    assert kinds(page) == [
        "deal_won",
        "stage_change",
        "owner_change",
        "deal_opened",
        "activity",
        "stage_change",
        "touch",
    ]
    assert [e.item.to_stage for e in page.entries if e.kind == "stage_change"] == [
        "customer",
        "prospect",
    ]
    moments = [entry.at for entry in page.entries]
    assert moments == sorted(moments, reverse=True)
    assert page.next_cursor is None


def test_pages_follow_each_other_without_gaps_or_repeats(story, manager):
    whole = lead_timeline(user=manager, lead=story, page_size=100).entries
    seen, cursor = [], None
    while True:
        page = lead_timeline(user=manager, lead=story, cursor=cursor, page_size=2)
        seen += [(entry.kind, entry.item.pk) for entry in page.entries]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [(entry.kind, entry.item.pk) for entry in whole]


def test_a_page_costs_the_same_number_of_queries_however_long_the_history(
    story, manager, rep, django_assert_max_num_queries
):
    # The user's roles (1, then cached on the user), the union of keys (1), and one per
    # source on the page: stage changes, touches, activities, deals, owner changes (5).
    with django_assert_max_num_queries(7):
        lead_timeline(user=manager, lead=story, page_size=50)
    for i in range(30):
        services.activity_create(lead=story, kind="note", subject=f"Note {i}", created_by=manager)
    with django_assert_max_num_queries(6):  # roles are cached now
        page = lead_timeline(user=manager, lead=story, page_size=50)
    assert len(page.entries) > 30


def test_marketing_sees_the_funnel_story_without_sales_work(story, marketer):
    assert set(kinds(lead_timeline(user=marketer, lead=story))) == {"stage_change", "touch"}


def test_the_api_pages_with_next_links(story, api, manager):
    client = api(manager)
    first = client.get(f"/api/v1/leads/{story.pk}/timeline/?page_size=3").json()
    assert len(first["results"]) == 3 and first["next"]
    second = client.get(first["next"]).json()
    ids = [(e["kind"], e["id"]) for e in first["results"] + second["results"]]
    assert len(ids) == len(set(ids))
    won = next(e for e in first["results"] + second["results"] if e["kind"] == "deal_won")
    assert won["summary"] == "Deal won: Pilot (900.00 USD)"
    assert won["data"]["amount"] == "900.00"
