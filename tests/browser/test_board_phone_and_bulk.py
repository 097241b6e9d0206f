"""The board in a browser: one column at a time on a phone, picked with the switcher, and
the lead lists' bulk actions on ticked cards (select all in a column, per-lead refusals,
the board refreshing itself when the action is done)."""

import pytest
from playwright.sync_api import expect

from funnel.stages import Stage
from leads.models import Lead
from tests import factories
from tests.browser.flows_support import SLOW, sign_in
from tests.browser.phone_support import PHONE, overflow_px, too_small_targets
from tests.browser.screens import LAPTOP
from tests.sales.factories import DealFactory, lead_in, prospect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def riley(live_server):
    rep = factories.RepFactory(username="riley", first_name="Riley", last_name="Stone")
    for first in ("Ada", "Grace", "Alan"):
        prospect(owner=rep, first_name=first, last_name="Quiet")
    for first in ("Hedy", "Linus"):
        DealFactory(lead=prospect(owner=rep, first_name=first, last_name="Talking"))
    customer = lead_in(Stage.CUSTOMER, owner=rep, first_name="Cy", last_name="Stomer")
    DealFactory(lead=customer, title="Second team")
    return rep


def visible_columns(page) -> list[str]:
    return [
        column.get_attribute("data-column")
        for column in page.locator(".board-column").all()
        if column.is_visible()
    ]


def test_a_phone_shows_one_column_and_the_switcher_changes_it(live_server, page, riley):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "riley")
    page.goto(f"{live_server.url}/sales/board/")

    switcher = page.get_by_role("group", name="Board column")
    buttons = switcher.get_by_role("button")
    expect(buttons).to_have_count(5)
    expect(buttons.nth(0)).to_have_text("Prospects 3")
    expect(buttons.nth(1)).to_have_text("Deal open 2")
    expect(buttons.nth(0)).to_have_attribute("aria-pressed", "true")
    assert visible_columns(page) == ["no_deal"]
    assert overflow_px(page) <= 0
    assert too_small_targets(page) == []

    switcher.get_by_role("button", name="Deal open").click()
    expect(buttons.nth(1)).to_have_attribute("aria-pressed", "true")
    expect(buttons.nth(0)).to_have_attribute("aria-pressed", "false")
    assert visible_columns(page) == ["open_deal"]
    expect(page.locator("#column-open_deal")).to_contain_text("Hedy Talking")

    # A laptop shows every column side by side and no switcher.
    page.set_viewport_size(LAPTOP)
    expect(switcher).to_be_hidden()
    assert visible_columns(page) == ["no_deal", "open_deal", "repeat", "won", "lost"]


def test_ticked_cards_take_a_bulk_move_with_refusals_reported(live_server, page, riley):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "riley")
    page.goto(f"{live_server.url}/sales/board/")

    # The whole Prospects column, and the repeat customer from another column.
    page.get_by_label("Select all in Prospects").check()
    expect(page.locator("#bulk-count")).to_have_text("3 leads selected.")
    page.get_by_role("group", name="Board column").get_by_role("button", name="Repeat").click()
    page.get_by_role("checkbox", name="Select Cy Stomer").check()
    expect(page.locator("#bulk-count")).to_have_text("4 leads selected.")
    # Once something is ticked the bar stays in reach at the bottom of the screen.
    bar = page.locator("#bulk-form")
    assert bar.evaluate("b => getComputedStyle(b).position") == "fixed"
    expect(bar).to_be_in_viewport()

    bar.get_by_label("Action").select_option(label="Move stage")
    bar.get_by_label("Move to").select_option(label="Lost")
    bar.get_by_label("Reason").fill("Went quiet")
    bar.get_by_role("button", name="Apply").click()

    result = page.locator("#bulk-result")
    expect(result).to_contain_text("3 changed", timeout=SLOW)
    expect(result).to_contain_text("1 refused")
    expect(result.get_by_role("link", name="Cy Stomer")).to_be_visible()
    # The board fetched itself again: the Lost column now holds the three, and the
    # phone still shows the column the user was in.
    lost = page.get_by_role("group", name="Board column").get_by_role("button", name="Lost")
    expect(lost).to_have_text("Lost 3", timeout=SLOW)
    assert visible_columns(page) == ["repeat"]
    assert set(Lead.objects.filter(last_name="Quiet").values_list("stage", flat=True)) == {
        Stage.LOST
    }
    assert Lead.objects.get(first_name="Cy").stage == Stage.CUSTOMER
