"""The lead list in a real browser: typing a search refreshes the results with htmx and
puts the filters in the address bar; sort headers and pages do the same; the phone layout
hides navigation and filters behind buttons."""

import re

import pytest
from playwright.sync_api import expect

from leads import views
from tests import factories
from tests.browser.test_move_lead import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_sort_and_pages_update_in_place(live_server, page, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    manager = factories.ManagerFactory(username="morgan")
    for name in ("Adams", "Baker", "Clark", "Davis", "Evans"):
        factories.LeadFactory(last_name=name, first_name="Sam", company="Acme")
    factories.LeadFactory(last_name="Hopper", first_name="Grace", company="Navy")
    sign_in(page, live_server, "morgan")
    page.goto(f"{live_server.url}/leads/")
    rows = page.locator("#lead-results tbody tr")
    expect(rows).to_have_count(3)

    page.get_by_label("Search").fill("grace")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Grace Hopper")
    expect(page.locator("#live-status")).to_have_text("1 lead matches your filters")
    # The filters are in the address bar (empty ones left out).
    expect(page).to_have_url(re.compile(r"/leads/\?search=grace&sort=-created$"))

    page.get_by_label("Search").fill("")
    expect(rows).to_have_count(3)
    page.get_by_role("link", name="Name").click()
    expect(rows.first).to_contain_text("Sam Adams")
    expect(page.get_by_label("Sort by")).to_have_value("name")
    page.get_by_role("link", name="Next").click()
    expect(rows.first).to_contain_text("Sam Davis")
    page.get_by_role("link", name="Previous").click()
    expect(rows.first).to_contain_text("Sam Adams")
    # The URL carries the state: a reload shows the same page.
    page.reload()
    expect(rows.first).to_contain_text("Sam Adams")
    expect(page.get_by_label("Sort by")).to_have_value("name")
    assert manager.pk


def test_phone_layout_hides_navigation_and_filters_behind_buttons(live_server, page):
    factories.RepFactory(username="riley")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "riley")
    page.goto(f"{live_server.url}/leads/")
    nav_link = page.get_by_role("link", name="Prospects", exact=True)
    expect(nav_link).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    expect(nav_link).to_be_visible()
    expect(page.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "true")

    expect(page.get_by_label("Owner")).to_be_hidden()
    page.get_by_role("button", name="Filters").click()
    expect(page.get_by_label("Owner")).to_be_visible()
