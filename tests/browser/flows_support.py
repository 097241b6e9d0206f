"""Shared pieces of the browser flow tests (test_flow_*.py): signing in, the sales world
whose dashboard figures are known in advance, and the rep's way to win a deal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from funnel.stages import Cause, Stage
from marketing.models import Campaign, Spend
from sales.services import deal_win
from tests import factories
from tests.browser.axe import axe_watch_if_on
from tests.browser.data import pipeline_build
from tests.factories import PASSWORD
from tests.sales.factories import DealFactory, QuotaFactory, TaskFactory, lead_in

# A flow waits this long for something a worker or htmx does (well under the test budget).
SLOW = 30_000


def sign_in(page, live_server, username: str) -> None:
    # axe-core watches this page too when it lives in a context the test opened itself.
    axe_watch_if_on(page)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")
    # The heading is there before the page's scripts have run; a key pressed then (the
    # "/" shortcut) reaches no handler on a loaded machine.
    page.wait_for_load_state("load")


def campaigns_dress() -> None:
    """Give the campaigns pipeline_build() made a channel, a budget and a month of spend,
    so campaign lists and ROI tables look like a real team's."""
    today = timezone.localdate()
    for i, campaign in enumerate(Campaign.objects.order_by("pk")):
        campaign.channel = ["webinar", "paid_search", "referral", "event"][i % 4]
        campaign.budget = Decimal(4000 + 2000 * i)
        campaign.save(update_fields=["channel", "budget"])
        for weeks in range(4):
            campaign.spend.create(
                day=today - timedelta(weeks=weeks), amount=Decimal(250 + 100 * i + 25 * weeks)
            )


@dataclass
class SalesWorld:
    """A manager, two reps and a lifelike pipeline, plus one campaign whose figures are
    fixed: four leads created yesterday (a customer who bought for 4,000 today, two of
    Riley's prospects, a new lead) and 1,000 spent on it today."""

    manager: object
    rep: object
    other_rep: object
    campaign: Campaign
    prospect: object  # Riley's prospect the flows sell to


def sales_world_build() -> SalesWorld:
    manager = factories.ManagerFactory(username="morgan", first_name="Morgan", last_name="Lee")
    rep = factories.RepFactory(username="riley", first_name="Riley", last_name="Stone")
    other = factories.RepFactory(username="casey", first_name="Casey", last_name="Park")
    background = pipeline_build(reps=[rep, other], manager=manager, count=24)
    campaigns_dress()

    now = timezone.now()
    yesterday = now - timedelta(days=1)
    fair = factories.CampaignFactory(
        name="Autumn trade fair",
        channel=Campaign.Channel.EVENT,
        budget=Decimal("5000.00"),
        utm_campaign="autumn-fair",
    )
    Spend.objects.create(campaign=fair, day=timezone.localdate(), amount=Decimal("1000.00"))
    common = {"source_campaign": fair, "at": yesterday, "company": "Northwind", "score": 60}
    customer = lead_in(
        Stage.PROSPECT,
        owner=rep,
        first_name="Nora",
        last_name="Quinn",
        email="nora.quinn@northwind.example",
        **common,
    )
    opened = DealFactory(lead=customer, owner=rep, title="Business plan", amount=Decimal("4000"))
    deal_win(deal_id=opened.pk, actor=rep, cause=Cause.MANUAL)
    target = lead_in(
        Stage.PROSPECT,
        owner=rep,
        first_name="Oscar",
        last_name="Reyes",
        email="oscar.reyes@northwind.example",
        title="Head of Operations",
        phone="+44 20 7946 0321",
        **common,
    )
    lead_in(
        Stage.PROSPECT,
        owner=rep,
        first_name="Priya",
        last_name="Nair",
        email="priya.nair@northwind.example",
        **common,
    )
    lead_in(
        Stage.LEAD,
        owner=None,
        first_name="Sam",
        last_name="Ortiz",
        email="sam.ortiz@northwind.example",
        **common,
    )

    # What a working week looks like on "My work" and the board: tasks due (one overdue)
    # and open deals on the background prospects.
    riley_prospects = [
        lead for lead in background if lead.owner_id == rep.pk and lead.stage == Stage.PROSPECT
    ]
    for i, lead in enumerate(riley_prospects):
        TaskFactory(
            lead=lead,
            owner=rep,
            subject=["Send revised quote", "Book technical call", "Chase signature"][i % 3],
            due_at=now + timedelta(days=i - 1, hours=2),
        )
        DealFactory(lead=lead, owner=rep, title="Team plan", amount=Decimal(3000 + 1500 * i))
    TaskFactory(lead=target, owner=rep, subject="Call about the Team plan", due_at=now)
    for lead in background:
        if lead.owner_id == other.pk and lead.stage == Stage.PROSPECT:
            DealFactory(lead=lead, owner=other, title="Starter plan", amount=Decimal("1800.00"))

    QuotaFactory(owner=rep, target=Decimal("10000.00"))
    QuotaFactory(owner=other, target=Decimal("8000.00"))
    return SalesWorld(
        manager=manager,
        rep=rep,
        other_rep=other,
        campaign=fair,
        prospect=target,
    )


def rep_wins_deal(page, *, title: str, amount: str) -> None:
    """On a prospect's page: log the discovery call, open a deal and win it."""
    page.get_by_text("Log activity…").click()
    form = page.locator("#sales-timeline form")
    form.get_by_label("Kind").select_option(label="Call")
    form.get_by_label("Subject").fill("Discovery call")
    form.get_by_label("Notes").fill("Needs 25 seats from next month; budget signed off.")
    form.get_by_role("button", name="Save").click()
    # The timeline is swapped in place, with the call at the top.
    expect(page.locator("#lead-timeline")).to_contain_text("Discovery call")
    expect(page.locator("#messages")).to_contain_text("call")

    panel = page.locator("#lead-sales-panel")
    panel.get_by_text("New deal…").click()
    panel.get_by_label("Title").fill(title)
    panel.get_by_label("Amount").fill(amount)
    panel.get_by_role("button", name="Open deal").click()
    # Deal actions reload the page (they can change stage, owner and timeline at once).
    expect(page.locator("#messages")).to_contain_text(f"Opened “{title}”")
    # Won asks first: the final amount (prefilled) and an optional note.
    panel.get_by_text("Won…").click()
    expect(panel.get_by_label("Final amount (USD)")).to_have_value(f"{float(amount):.2f}")
    panel.get_by_role("button", name="Confirm won").click()
    expect(page.locator("#messages")).to_contain_text(f"Won “{title}”")
