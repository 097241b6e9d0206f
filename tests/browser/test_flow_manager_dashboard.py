"""Issue 6's third browser flow: the manager has the dashboard open, a rep wins a deal in
their own browser, and on reload the manager's figures show it: the campaign's
prospect → customer rate, its revenue and ROI, and the rep's quota attainment. Every
expected figure follows from the data sales_world_build() made, worked out by hand below.

Then the manager's other pages (quotas, API keys, webhooks) are visited and screenshot.
"""

import re

import pytest
from playwright.sync_api import expect

from integrations.models import ApiKey
from tests.browser import screens
from tests.browser.flows_support import rep_wins_deal, sales_world_build, sign_in
from tests.integrations.webhook_factories import WebhookEndpointFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def table_row(page, table: str, label: str) -> dict[str, str]:
    """One row of a dashboard table as {column heading: cell text}."""
    section = page.locator("section.dash-card", has=page.locator(f"#table-{table}"))
    headings = [
        re.sub(r"\s*[▲▼]$", "", text.strip())
        for text in section.locator("thead th").all_text_contents()
    ]
    row = section.locator("tbody tr", has=page.get_by_role("rowheader", name=label, exact=True))
    cells = row.locator("th, td").all_text_contents()
    return dict(zip(headings, (cell.strip() for cell in cells), strict=True))


def test_manager_sees_a_won_deal_on_the_dashboard(live_server, page, browser):
    world = sales_world_build()
    WebhookEndpointFactory(
        url="https://hooks.example.com/funnel/crm",
        description="Data warehouse sync",
        events=["lead.stage_changed", "deal.won"],
    )

    sign_in(page, live_server, "morgan")
    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Funnel overview")
    screens.save(page, "dashboard")
    screens.save(page, "dashboard", phone=True)

    # The fair's cohort: Nora (customer), Oscar and Priya (prospects), Sam (lead).
    page.get_by_label("Campaign", exact=True).select_option(label="Autumn trade fair")
    page.get_by_role("button", name="Apply").click()
    rate = page.locator(".stat-tile", has_text="Prospect → customer")
    expect(rate).to_contain_text("33.3 %")
    expect(rate).to_contain_text("1 of 3 prospects")
    filtered_overview = page.url

    # Riley wins Oscar's deal (2,500) in another browser.
    rep_context = browser.new_context(viewport=screens.LAPTOP)
    rep_page = rep_context.new_page()
    sign_in(rep_page, live_server, "riley")
    rep_page.goto(f"{live_server.url}/leads/{world.prospect.pk}/")
    rep_wins_deal(rep_page, title="Team plan, 25 seats", amount="2500")
    expect(rep_page.locator("#lead-stage-badge")).to_contain_text("Customer")
    rep_context.close()

    page.goto(filtered_overview)
    expect(rate).to_contain_text("66.7 %")
    expect(rate).to_contain_text("2 of 3 prospects")
    lead_to_customer = page.locator(".stat-tile", has_text="Lead → customer")
    expect(lead_to_customer).to_contain_text("50.0 %")
    expect(lead_to_customer).to_contain_text("2 of 4 leads")

    # Revenue 4,000 + 2,500 = 6,500 on 1,000 spent: ROI (6,500 - 1,000) ÷ 1,000 = 5.5.
    page.get_by_role("link", name="Campaign ROI").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Campaign"))
    fair = table_row(page, "campaigns", "Autumn trade fair")
    assert fair["Spend"] == "1,000.00 USD", fair
    assert (fair["Leads"], fair["Prospects"], fair["Customers"]) == ("4", "3", "2"), fair
    assert fair["Revenue (first touch)"] == "6,500.00 USD", fair
    assert fair["ROI (first touch)"] == "+550.0 %", fair
    page.get_by_label("Campaign", exact=True).select_option(label="All campaigns")
    page.get_by_role("button", name="Apply").click()
    screens.save(page, "dashboard-campaigns")

    # Riley: 6,500 won this month of a 10,000 target.
    page.get_by_role("link", name="Quotas", exact=True).last.click()
    riley = table_row(page, "quotas", "Riley Stone")
    assert (riley["Target"], riley["Won"], riley["Attainment"]) == (
        "10,000.00 USD",
        "6,500.00 USD",
        "65.0 %",
    ), riley
    screens.save(page, "dashboard-quotas")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Quotas").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quota")
    expect(page.get_by_text("Riley Stone").first).to_be_visible()
    screens.save(page, "quotas")

    # Integrations: a key is shown once, and the webhook log lists the win's events.
    # Integrations sits in the account menu.
    page.locator(".user-menu summary").click()
    page.get_by_role("link", name="Integrations", exact=True).click()
    page.get_by_role("link", name="API keys").first.click()
    page.get_by_label("Name").fill("Website sync")
    page.get_by_text("Read and write").click()
    page.get_by_role("button", name="Create key").click()
    key = ApiKey.objects.get(name="Website sync")
    assert key.scope == ApiKey.Scope.READ_WRITE
    raw = page.locator("#new-key-value").input_value()
    assert raw.startswith(key.prefix) and key.prefix not in ("", raw)
    screens.save(page, "integrations-api-keys")

    page.get_by_role("link", name="Webhooks").first.click()
    expect(page.get_by_text("https://hooks.example.com/funnel/crm")).to_be_visible()
    screens.save(page, "integrations-webhooks")
    page.get_by_role("link", name="https://hooks.example.com/funnel/crm").click()
    page.get_by_role("button", name="Send test event").click()
    expect(page.get_by_text("Test event queued")).to_be_visible()
    expect(page.get_by_text("webhook.test").first).to_be_visible()
    expect(page.get_by_text("deal.won").first).to_be_visible()
    screens.save(page, "integrations-webhook-log")
