"""Find anything in a real browser: `/` focuses the header box, typing shows live results
grouped in a listbox, arrows move through them, Enter opens one, Esc closes the list, and
Ctrl-K works from inside another field. Without picking a result, Enter opens the page.
The open listbox and the results page pass axe-core."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.test_move_lead import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_type_in_the_header_box_and_open_a_result(live_server, page):
    factories.ManagerFactory(username="morgan")
    factories.LeadFactory(first_name="Ada", last_name="Lovelace", email="ada@engines.io")
    willy = factories.LeadFactory(first_name="Willy", last_name="Wonka", email="w@wonka.example")
    factories.CampaignFactory(name="Wonka bars relaunch")
    sign_in(page, live_server, "morgan")

    box = page.get_by_role("combobox", name="Find anything")
    page.locator("body").press("/")
    expect(box).to_be_focused()

    box.press_sequentially("wonka.exa")
    listbox = page.get_by_role("listbox", name="Matches")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    options = listbox.get_by_role("option")
    expect(options.first).to_contain_text("Willy Wonka")
    expect(listbox).not_to_contain_text("Ada Lovelace")

    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")

    box.press("ArrowDown")
    expect(listbox).to_be_visible()
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", f"suggest-lead-{willy.pk}")
    box.press("Enter")
    expect(page).to_have_url(re.compile(rf"/leads/{willy.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Willy Wonka")


def test_ctrl_k_and_the_results_page(live_server, page):
    factories.ManagerFactory(username="morgan")
    factories.LeadFactory(first_name="Grace", last_name="Hopper", company="Navy Labs")
    factories.CampaignFactory(name="Navy week")
    sign_in(page, live_server, "morgan")
    page.goto(f"{live_server.url}/leads/")

    # Even while typing in another field, Ctrl-K goes to the header box.
    page.get_by_label("Search", exact=True).click()
    page.keyboard.press("Control+k")
    box = page.get_by_role("combobox", name="Find anything")
    expect(box).to_be_focused()
    box.fill("navy")
    box.press("Enter")

    expect(page).to_have_url(re.compile(r"/search/\?q=navy$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Results for “navy”")
    leads = page.get_by_role("region", name="Leads")
    expect(leads.get_by_role("link", name="Grace Hopper")).to_be_visible()
    expect(page.get_by_role("region", name="Campaigns")).to_contain_text("Navy week")
    leads.get_by_role("link", name="Grace Hopper").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Grace Hopper")


def test_the_open_listbox_and_the_results_page_pass_axe(live_server, page):
    # Through the suite's watcher (tests/browser/axe.py): its own checks queue with these.
    from tests.browser.axe import check

    factories.ManagerFactory(username="morgan")
    factories.LeadFactory(first_name="Willy", last_name="Wonka", company="Wonka Industries")
    factories.CampaignFactory(name="Wonka bars relaunch")
    sign_in(page, live_server, "morgan")
    box = page.get_by_role("combobox", name="Find anything")
    box.press_sequentially("wonka")
    box.press("ArrowDown")
    expect(page.get_by_role("listbox", name="Matches")).to_be_visible()

    assert check(page, "listbox open") == []
    box.press("Escape")
    page.goto(f"{live_server.url}/search/?q=wonka")
    assert check(page) == []
