"""After a stage move the whole lead page follows without a reload (breadcrumb, deal form
in the sales panel), and keyboard focus lands on the result message (issue 13)."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.test_move_lead import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_move_updates_breadcrumb_and_deal_form_and_focuses_the_message(live_server, page):
    rep = factories.RepFactory(username="riley", first_name="Riley", last_name="Stone")
    lead = factories.LeadFactory(owner=rep, first_name="Ada", last_name="Lovelace")
    sign_in(page, live_server, "riley")
    page.goto(f"{live_server.url}/leads/{lead.pk}/")
    page.evaluate("window.__notReloaded = true")
    breadcrumb = page.get_by_role("navigation", name="Breadcrumb")
    expect(breadcrumb.get_by_role("link")).to_have_text("Leads")
    expect(page.get_by_text("New deal…")).to_have_count(0)

    page.get_by_role("radio", name=re.compile(r"^Prospect")).check()
    page.get_by_role("button", name="Move stage").click()

    expect(page.locator("#messages")).to_contain_text("Moved Ada Lovelace from Lead to Prospect")
    expect(breadcrumb.get_by_role("link")).to_have_text("Prospects")
    expect(page.get_by_text("New deal…")).to_be_visible()
    expect(page.locator("#messages .flash")).to_be_focused()
    assert page.evaluate("window.__notReloaded") is True
