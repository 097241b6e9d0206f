"""Every main page on a phone (390 x 844): nothing scrolls sideways, every tap target is
at least 24 x 24 px (or spaced as WCAG 2.2 allows), tables read as labelled cards, and the
dashboard's filters start folded behind a summary of those in effect."""

import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from marketing.models import Campaign
from tests.browser import screens
from tests.browser.flows_support import sales_world_build, sign_in
from tests.browser.phone_support import PHONE, overflow_px, too_small_targets
from tests.integrations.webhook_factories import WebhookEndpointFactory
from tests.marketing.imports import job_from

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = "email,first_name,last_name\nada@example.com,Ada,Lovelace\n"


@pytest.fixture
def world(live_server):
    world = sales_world_build()
    WebhookEndpointFactory(url="https://hooks.example.com/funnel", description="Warehouse sync")
    job_from(CSV, user=world.manager)
    return world


def check_page(page, path: str, name: str) -> None:
    page.goto(path)
    page.wait_for_load_state("load")
    assert overflow_px(page) <= 0, f"{path} scrolls sideways by {overflow_px(page)} px"
    assert too_small_targets(page) == [], path
    # Every table is a stack of cards: its header row hidden, the cells labelled.
    for table in page.locator("table.table").all():
        if not table.is_visible():
            continue
        assert table.locator("thead").evaluate("h => h.getBoundingClientRect().height") <= 1
        cells = table.locator("tbody td")
        if cells.count() and not table.evaluate("t => t.classList.contains('table-stack')"):
            labelled = table.locator("tbody td[data-label], tbody .card-title").count()
            assert labelled >= cells.count() // 2, path
            assert table.evaluate("t => getComputedStyle(t.tBodies[0].rows[0]).display") == "block"
    # For a look at every page (never into docs/: the README picks its own phone shots).
    shots = Path(tempfile.gettempdir()) / "funnel-screenshots" / "phone"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def test_every_main_page_fits_a_phone(live_server, page, world):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "morgan")
    base = live_server.url
    campaign = Campaign.objects.get(name="Autumn trade fair")
    pages = {
        "home": "/",
        "leads": "/leads/",
        "prospects": "/leads/prospects/",
        "customers": "/leads/customers/",
        "lead": f"/leads/{world.prospect.pk}/",
        "campaigns": "/marketing/",
        "campaign": f"/marketing/campaigns/{campaign.pk}/",
        "campaign-results": "/marketing/results/",
        "imports": "/marketing/imports/",
        "dashboard": "/dashboard/",
        "dashboard-breakdown": "/dashboard/breakdown/",
        "dashboard-campaigns": "/dashboard/campaigns/",
        "dashboard-quotas": "/dashboard/quotas/",
        "quotas": "/sales/quotas/",
        "webhooks": "/integrations/webhooks/",
        "api-keys": "/integrations/api-keys/",
        "search": "/search/?q=northwind",
    }
    for name, path in pages.items():
        check_page(page, base + path, name)

    page.context.clear_cookies()
    sign_in(page, live_server, "riley")
    for name, path in {"my-work": "/sales/my-work/", "board": "/sales/board/"}.items():
        check_page(page, base + path, name)


def test_dashboard_filters_start_folded_on_a_phone(live_server, page, world):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "morgan")
    page.goto(f"{live_server.url}/dashboard/?preset=last_90_days&channel=event")
    toggle = page.locator(".dash-filters .filter-toggle")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_contain_text("Last 90 days · Event")
    expect(page.locator("#id_campaign")).to_be_hidden()
    expect(page.get_by_role("link", name="This quarter")).to_be_hidden()

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#id_campaign")).to_be_visible()
    page.get_by_role("link", name="This quarter").click()
    expect(page.locator(".dash-filter-summary")).to_have_text("This quarter · Event")

    # A laptop shows every filter and no toggle.
    page.set_viewport_size(screens.LAPTOP)
    expect(toggle).to_be_hidden()
    expect(page.locator("#id_campaign")).to_be_visible()


def test_dashboard_tabs_scroll_sideways_on_a_phone(live_server, page, world):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "morgan")
    page.goto(f"{live_server.url}/dashboard/")
    tabs = page.locator(".dash-tabs ul")
    assert tabs.evaluate("t => t.scrollWidth > t.clientWidth")
    assert tabs.evaluate("t => getComputedStyle(t).overflowX") == "auto"
    assert overflow_px(page) <= 0
    last = page.locator(".dash-tabs a").last
    last.scroll_into_view_if_needed()
    last.click()
    current = page.locator(".dash-tabs a[aria-current='page']")
    expect(current).to_have_text(last.inner_text())
    # On the new page the row starts scrolled so that the current tab is in sight.
    expect(current).to_be_in_viewport()


def test_the_target_check_finds_crowded_small_targets(page):
    # The checker itself: two 16 px buttons side by side fail, a spaced one passes.
    page.set_viewport_size(PHONE)
    page.set_content(
        "<button style='position:absolute;left:10px;top:10px;width:16px;height:16px'></button>"
        "<button style='position:absolute;left:28px;top:10px;width:16px;height:16px'></button>"
        "<button style='position:absolute;left:200px;top:200px;width:16px;height:16px'></button>"
        "<p>Read the <a href='#'>guide</a> first.</p>"
    )
    assert len(too_small_targets(page)) == 2
