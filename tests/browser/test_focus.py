"""Issue 13: the keyboard is never lost. Every element Tab reaches shows a focus ring, and
after an htmx swap focus is where the user was (the same control in the new content), or
on the result of what they did."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from funnel.stages import Stage
from tests import factories
from tests.browser.flows_support import sign_in
from tests.sales.factories import QuotaFactory, lead_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the focused element draws: an outline, or a ring drawn as a box-shadow.
# Chromium's own calendar button inside a date field is a Tab stop that no page style
# reaches (the field then does not match :focus): it is skipped.
RING = """() => {
  const e = document.activeElement;
  if (e.type === 'date' && !e.matches(':focus')) return {ok: true};
  // Past the last stop, focus leaves the document for the browser's own controls.
  if (e === document.body) return {ok: true};
  const s = getComputedStyle(e);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2
    && !/rgba\\(.*, 0\\)|transparent/.test(s.outlineColor);
  const shadow = s.boxShadow !== 'none' && /rgb\\(48, 70, 197\\)/.test(s.boxShadow);
  const name = (e.getAttribute('aria-label') || e.textContent || e.name || e.id || '').trim();
  return {ok: outline || shadow, what: `${e.tagName} ${name.slice(0, 40)}`};
}"""


def tab_through(page, presses: int) -> list[str]:
    """Press Tab `presses` times; the elements that showed no ring."""
    missing = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        ring = page.evaluate(RING)
        if not ring["ok"]:
            missing.append(ring["what"])
    return missing


def test_every_element_tab_reaches_shows_a_focus_ring(live_server, page):
    rep = factories.RepFactory(username="riley", first_name="Riley", last_name="Stone")
    lead = lead_in(Stage.PROSPECT, owner=rep, first_name="Ada", last_name="Lovelace")
    for i in range(3):
        factories.LeadFactory(owner=rep, first_name="Lead", last_name=f"No {i}")
    # Without motion the ring is there at once (buttons and fields fade it in otherwise).
    page.emulate_media(reduced_motion="reduce")
    sign_in(page, live_server, "riley")
    for path in ("/leads/", f"/leads/{lead.pk}/", "/sales/my-work/"):
        page.goto(f"{live_server.url}{path}")
        assert tab_through(page, 40) == [], path


def test_focus_stays_on_next_after_a_page_of_the_list_is_swapped_in(live_server, page):
    factories.ManagerFactory(username="morgan")
    for i in range(60):
        factories.LeadFactory(first_name="Lead", last_name=f"{i:02d}")
    sign_in(page, live_server, "morgan")
    page.goto(f"{live_server.url}/leads/")
    results = page.locator("#lead-results")
    page.evaluate("window.__notReloaded = true")

    results.locator("a[rel='next']").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"cursor="))
    # The new page's own "next" link has the focus, so Enter goes on paging.
    expect(results.locator("a[rel='next']")).to_be_focused()
    assert page.evaluate("window.__notReloaded") is True

    # The filter swaps the results while the user types: the field keeps the focus.
    field = page.get_by_label("Search", exact=True)
    field.press_sequentially("Lead 1")
    expect(results.locator("h2")).to_contain_text("match")
    expect(field).to_be_focused()


def test_focus_stays_on_the_period_link_after_the_quotas_swap(live_server, page):
    factories.ManagerFactory(username="morgan")
    rep = factories.RepFactory(username="riley", first_name="Riley", last_name="Stone")
    QuotaFactory(owner=rep, target=Decimal("10000.00"))
    sign_in(page, live_server, "morgan")
    page.goto(f"{live_server.url}/sales/quotas/")
    quotas = page.locator("#quotas")
    title = quotas.locator(".period-title")
    before = title.inner_text()

    quotas.locator("a[rel='prev']").focus()
    page.keyboard.press("Enter")
    expect(title).not_to_have_text(before)
    expect(quotas.locator("a[rel='prev']")).to_be_focused()

    # A link whose counterpart is gone ("By quarter" becomes "By month"): the region.
    quotas.get_by_role("link", name=re.compile(r"^By ")).focus()
    page.keyboard.press("Enter")
    expect(quotas.get_by_role("link", name=re.compile(r"^By "))).not_to_have_text(
        re.compile("quarter")
    )
    expect(page.locator("#quotas")).to_be_focused()


def test_a_stage_move_by_keyboard_lands_on_its_result(live_server, page):
    rep = factories.RepFactory(username="riley", first_name="Riley", last_name="Stone")
    lead = factories.LeadFactory(owner=rep, first_name="Ada", last_name="Lovelace")
    sign_in(page, live_server, "riley")
    page.goto(f"{live_server.url}/leads/{lead.pk}/")
    page.get_by_role("radio", name=re.compile(r"^Prospect")).focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Move stage").focus()
    page.keyboard.press("Enter")
    flash = page.locator("#messages .flash")
    expect(flash).to_contain_text("Moved Ada Lovelace from Lead to Prospect")
    expect(flash).to_be_focused()
    # Tab goes on from the message into the page, not back to the top of the document.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#main') !== null")
