"""The deal board in a browser: a rep drags a card to the next stage, moves one with the
arrow keys, and confirms a win in the dialog; on a phone one column shows at a time.

`FUNNEL_SCREENSHOTS=1` saves the pages to docs/screenshots/ (screens.py)."""

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from funnel.stages import Stage
from leads.models import Lead
from sales.models import Deal, DealStageChange
from tests.browser import screens
from tests.browser.flows_support import SLOW, sign_in
from tests.factories import RepFactory
from tests.sales.factories import DealFactory, prospect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _deals():
    rep = RepFactory(username="riley", first_name="Riley", last_name="Park")
    made = {}
    for title, amount, close in [
        ("Acme rollout", "1200.00", date(2030, 4, 10)),
        ("Globex pilot", "800.00", date(2030, 5, 2)),
        ("Initech seats", "450.00", None),
    ]:
        lead = prospect(owner=rep, first_name=title.split()[0], last_name="Buyer")
        made[title] = DealFactory(
            lead=lead, owner=rep, title=title, amount=Decimal(amount), expected_close_on=close
        )
    return rep, made


def _column(page, name):
    return page.locator(".deal-column", has=page.locator("h2", has_text=name))


def test_drag_keyboard_and_confirmed_win(live_server, page):
    rep, deals = _deals()
    sign_in(page, live_server, "riley")
    page.get_by_role("link", name="Pipeline", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pipeline")
    expect(_column(page, "Qualification").locator(".deal-card")).to_have_count(3)
    screens.save(page, "deal-board")

    # Drag and drop: Acme to Demo.
    page.locator(f"#deal-card-{deals['Acme rollout'].pk}").drag_to(
        _column(page, "Demo").locator(".deal-cards")
    )
    expect(_column(page, "Demo").locator(".deal-card")).to_have_count(1, timeout=SLOW)
    expect(page.locator("#messages")).to_contain_text("Moved “Acme rollout” to Demo.")
    expect(_column(page, "Demo").locator(".count-pill")).to_have_text("1")

    # Keyboard: Globex one stage right, twice.
    globex = f"#deal-card-{deals['Globex pilot'].pk}"
    page.locator(globex).focus()
    page.keyboard.press("ArrowRight")
    expect(_column(page, "Demo").locator(".deal-card")).to_have_count(2, timeout=SLOW)
    expect(page.locator(globex)).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(_column(page, "Proposal").locator(".deal-card")).to_have_count(1, timeout=SLOW)

    # The move menu to Won asks first, in the dialog.
    initech = page.locator(f"#deal-card-{deals['Initech seats'].pk}")
    initech.get_by_text("Move…").click()
    initech.get_by_label("Move to").select_option(label="Won")
    initech.get_by_role("button", name="Move").click()
    dialog = page.locator("#deal-dialog")
    expect(dialog).to_be_visible(timeout=SLOW)
    expect(dialog).to_contain_text("Won “Initech seats”?")
    assert Deal.objects.get(pk=deals["Initech seats"].pk).status == "open"
    dialog.get_by_label("Final amount").fill("500")
    screens.save(page, "deal-board-confirm-won")
    dialog.get_by_role("button", name="Confirm won").click()
    expect(dialog).to_be_hidden(timeout=SLOW)
    expect(_column(page, "Won").locator(".deal-card")).to_have_count(1)

    won = Deal.objects.get(pk=deals["Initech seats"].pk)
    assert (won.status, won.amount) == ("won", Decimal("500.00"))
    assert Lead.objects.get(pk=won.lead_id).stage == Stage.CUSTOMER
    path = list(
        DealStageChange.objects.filter(deal=deals["Globex pilot"])
        .order_by("id")
        .values_list("to_stage__name", "actor")
    )
    assert path == [("Qualification", None), ("Demo", rep.pk), ("Proposal", rep.pk)]


def test_a_drop_on_lost_is_cancelled_in_the_dialog(live_server, page):
    _, deals = _deals()
    sign_in(page, live_server, "riley")
    page.goto(f"{live_server.url}/sales/deals/board/")
    page.locator(f"#deal-card-{deals['Acme rollout'].pk}").drag_to(
        _column(page, "Lost").locator(".deal-cards")
    )
    dialog = page.locator("#deal-dialog")
    expect(dialog).to_contain_text("Lost “Acme rollout”?", timeout=SLOW)
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(_column(page, "Qualification").locator(".deal-card")).to_have_count(3)
    assert Deal.objects.get(pk=deals["Acme rollout"].pk).status == "open"


def test_on_a_phone_one_column_at_a_time(live_server, page):
    _deals()
    sign_in(page, live_server, "riley")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/sales/deals/board/")
    expect(_column(page, "Qualification")).to_be_visible()
    expect(_column(page, "Demo")).to_be_hidden()
    page.locator(".deal-switch", has_text="Demo").click()
    expect(_column(page, "Demo")).to_be_visible()
    expect(_column(page, "Qualification")).to_be_hidden()
    screens.save(page, "deal-board", phone=True)
