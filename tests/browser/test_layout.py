"""The layout in a browser: keyboard users can skip to the content, and the user menu
logs out with a POST."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.test_move_lead import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_skip_link_is_the_first_stop_and_jumps_to_main(live_server, page):
    factories.RepFactory(username="riley")
    sign_in(page, live_server, "riley")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


def test_user_menu_logs_out(live_server, page):
    factories.RepFactory(username="riley", first_name="Riley", last_name="Stone")
    sign_in(page, live_server, "riley")
    page.locator("details.user-menu summary").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/login/?next=/")
