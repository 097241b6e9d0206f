"""Issue 6's second browser flow: a sales rep signs in, finds one of their prospects from
"My work" and the board, logs a call, opens a deal and wins it, and the lead becomes a
customer (on the page and in the database, with its history row).

`FUNNEL_SCREENSHOTS=1` saves the pages along the way to docs/screenshots/ (screens.py).
"""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from funnel.models import StageChange
from funnel.stages import Stage
from leads.models import Lead
from sales.models import Activity, Deal
from tests.browser import screens
from tests.browser.flows_support import rep_wins_deal, sales_world_build, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rep_logs_a_call_and_wins_a_deal_and_the_lead_becomes_a_customer(live_server, page):
    world = sales_world_build()
    oscar = world.prospect

    sign_in(page, live_server, "riley")
    page.get_by_role("link", name="My work", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    expect(page.get_by_text("Call about the Team plan")).to_be_visible()
    screens.save(page, "my-work")
    screens.save(page, "my-work", phone=True)

    page.get_by_role("link", name="Board", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Board")
    screens.save(page, "board")
    # On a phone: one column at a time, picked with the switcher above it.
    screens.save(page, "board", phone=True)

    page.get_by_role("link", name="Oscar Reyes").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Oscar Reyes")
    expect(page.locator("#lead-stage-badge")).to_contain_text("Prospect")

    rep_wins_deal(page, title="Team plan, 25 seats", amount="2500")

    expect(page.locator("#lead-stage-badge")).to_contain_text("Customer")
    timeline = page.locator("#lead-timeline")
    expect(timeline).to_contain_text("Discovery call")
    expect(timeline).to_contain_text("Team plan, 25 seats")
    screens.save(page, "lead-timeline")
    screens.save(page, "lead-timeline", phone=True)

    lead = Lead.objects.get(pk=oscar.pk)
    assert lead.stage == Stage.CUSTOMER
    change = StageChange.objects.get(lead=lead, to_stage=Stage.CUSTOMER)
    assert (change.from_stage, change.actor) == (Stage.PROSPECT, world.rep)
    assert StageChange.objects.filter(lead=lead).latest("at") == change
    deal = Deal.objects.get(lead=lead)
    assert (deal.title, deal.amount, deal.status) == (
        "Team plan, 25 seats",
        Decimal("2500.00"),
        Deal.Status.WON,
    )
    assert deal.owner == world.rep and deal.closed_on is not None
    call = Activity.objects.get(lead=lead, kind=Activity.Kind.CALL)
    assert (call.subject, call.owner, call.done_at is not None) == (
        "Discovery call",
        world.rep,
        True,
    )
