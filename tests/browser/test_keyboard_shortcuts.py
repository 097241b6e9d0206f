"""Issue 13: keyboard shortcuts listed under `?`. The list is a modal dialog (focus stays
inside it, Esc closes it and focus goes back), `g` then a letter opens a page of the
user's own navigation, `/` and Ctrl-K go to the header search, and none of these keys
fires while the user types in a field."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.flows_support import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def focus_inside(page, selector: str) -> bool:
    return page.evaluate(f"document.querySelector({selector!r}).contains(document.activeElement)")


def test_question_mark_lists_the_shortcuts_in_a_modal_dialog(live_server, page):
    factories.RepFactory(username="riley", first_name="Riley", last_name="Stone")
    sign_in(page, live_server, "riley")
    leads_link = page.get_by_role("navigation", name="Main").get_by_role("link", name="Leads")
    leads_link.focus()

    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    # The rep's own navigation: My work and Board, no Dashboard (managers only).
    expect(dialog.get_by_role("row", name=re.compile(r"g m\s+Go to My work"))).to_be_visible()
    expect(dialog.get_by_role("row", name=re.compile(r"g b\s+Go to Board"))).to_be_visible()
    expect(dialog).not_to_contain_text("Dashboard")
    expect(dialog).to_contain_text("Ctrl K")

    # Focus is trapped: tabbing never leaves the dialog.
    assert focus_inside(page, "#shortcuts-dialog")
    for _ in range(4):
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('#shortcuts-dialog') !== null")

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(leads_link).to_be_focused()

    # From the account menu, for those who do not know the key; Close closes it.
    page.locator("details.user-menu summary").click()
    page.get_by_role("button", name="Keyboard shortcuts").click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Close keyboard shortcuts").click()
    expect(dialog).to_be_hidden()


def test_keys_typed_into_a_field_are_not_shortcuts(live_server, page):
    factories.RepFactory(username="riley")
    sign_in(page, live_server, "riley")
    page.goto(f"{live_server.url}/leads/")
    field = page.get_by_label("Search", exact=True)
    field.press_sequentially("g m ?")
    expect(field).to_have_value("g m ?")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/leads/$"))


def test_g_then_a_letter_opens_a_page(live_server, page):
    factories.RepFactory(username="riley")
    factories.ManagerFactory(username="morgan")
    sign_in(page, live_server, "riley")
    for keys, path, heading in [
        ("g m", "/sales/my-work/", "My work"),
        ("g b", "/sales/board/", "Board"),
        ("g l", "/leads/", "Leads"),
        ("g h", "/", "Hello"),
    ]:
        # The URL and heading come before the page's scripts have run: a key pressed
        # then, on a loaded machine, reaches no handler. Wait for the load event.
        page.wait_for_load_state("load")
        for key in keys.split():
            page.locator("body").press(key)
        expect(page).to_have_url(re.compile(rf"{re.escape(path)}$"))
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    # A letter that is not the rep's (Dashboard is for managers) does nothing.
    page.wait_for_load_state("load")
    page.locator("body").press("g")
    page.locator("body").press("d")
    expect(page).to_have_url(re.compile(r"/$"))

    page.context.clear_cookies()
    sign_in(page, live_server, "morgan")
    page.wait_for_load_state("load")
    page.locator("body").press("g")
    page.locator("body").press("d")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


def test_slash_and_ctrl_k_go_to_the_search_box(live_server, page):
    factories.RepFactory(username="riley")
    sign_in(page, live_server, "riley")
    box = page.get_by_role("combobox", name="Find anything")
    page.locator("body").press("/")
    expect(box).to_be_focused()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Leads").focus()
    page.keyboard.press("Control+k")
    expect(box).to_be_focused()
