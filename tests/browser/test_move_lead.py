"""Issue 2's browser test: a rep signs in and moves a lead on its page, in headless
Chromium against a live server. Also proves the htmx paths end to end: the stage panel,
badge and timeline update in place, and a stale form is refused with a clear message."""

import re

import pytest
from playwright.sync_api import expect

from funnel.models import StageChange
from funnel.services import lead_transition
from funnel.stages import Cause, Stage
from leads.models import Lead
from tests import factories
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")
    # The heading is there before the page's scripts have run; a key pressed then (the
    # "/" shortcut) reaches no handler on a loaded machine.
    page.wait_for_load_state("load")


def test_rep_signs_in_and_moves_a_lead(live_server, page):
    rep = factories.RepFactory(username="riley", first_name="Riley", last_name="Stone")
    lead = factories.LeadFactory(owner=rep, first_name="Ada", last_name="Lovelace")

    sign_in(page, live_server, "riley")
    page.get_by_role("link", name="Leads", exact=True).click()
    page.get_by_role("link", name="Ada Lovelace").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ada Lovelace")

    page.get_by_role("radio", name=re.compile(r"^Prospect")).check()
    page.get_by_label("Reason").fill("Asked for a demo")
    page.get_by_role("button", name="Move stage").click()

    expect(page.locator("#messages")).to_contain_text("Moved Ada Lovelace from Lead to Prospect")
    expect(page.locator("#lead-stage-badge")).to_contain_text("Prospect")
    expect(page.locator("#lead-timeline")).to_contain_text("Asked for a demo")
    # The panel now offers the prospect's moves, and the page was not reloaded for it.
    expect(page.get_by_role("radio", name=re.compile(r"^Customer"))).to_be_visible()

    lead.refresh_from_db()
    assert lead.stage == Stage.PROSPECT
    change = StageChange.objects.get(lead=lead)
    assert (change.from_stage, change.to_stage, change.cause) == ("lead", "prospect", "manual")
    assert change.actor == rep
    assert change.reason == "Asked for a demo"


def test_stale_form_is_refused_with_a_message_and_nothing_changes(live_server, page):
    rep = factories.RepFactory(username="sam")
    lead = factories.LeadFactory(owner=rep, first_name="Grace", last_name="Hopper")
    sign_in(page, live_server, "sam")
    page.goto(f"{live_server.url}/leads/{lead.pk}/")
    expect(page.get_by_role("radio", name=re.compile(r"^Prospect"))).to_be_visible()

    # Someone else disqualifies the lead while the page is open.
    lead_transition(lead_id=lead.pk, to_stage=Stage.DISQUALIFIED, cause=Cause.MANUAL)
    page.get_by_role("radio", name=re.compile(r"^Prospect")).check()
    page.get_by_role("button", name="Move stage").click()

    expect(page.locator("#messages")).to_contain_text(
        "A disqualified cannot move to prospect. Nothing was changed"
    )
    # The panel now shows the real stage and its only legal move.
    expect(page.locator("#lead-stage-panel")).to_contain_text("Disqualified")
    expect(page.get_by_role("radio", name=re.compile(r"^Lead"))).to_be_visible()
    assert Lead.objects.get(pk=lead.pk).stage == Stage.DISQUALIFIED
    assert StageChange.objects.filter(lead=lead).count() == 1
