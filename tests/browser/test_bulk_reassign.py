"""Issue 13's browser test: a manager ticks rows on the lead list and reassigns them in
one go (it took six page loads before), with the result in the live region and the list
refreshed in place; no Content-Security-Policy violation on the way."""

import pytest
from playwright.sync_api import expect

from leads.models import Lead
from sales.models import OwnerChange
from tests import factories
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_selects_rows_and_reassigns_them(live_server, page):
    factories.ManagerFactory(username="morgan")
    old = factories.RepFactory(username="olive", first_name="Olive", last_name="Old")
    new = factories.RepFactory(username="nina", first_name="Nina", last_name="New")
    chosen = [
        factories.LeadFactory(owner=old, first_name="Ada", last_name=name)
        for name in ("One", "Two", "Three")
    ]
    untouched = factories.LeadFactory(owner=old, first_name="Bo", last_name="Stay")
    violations = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("morgan")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/leads/")

    for lead in chosen:
        page.get_by_role("checkbox", name=f"Select Ada {lead.last_name}").check()
    expect(page.locator("#bulk-count")).to_have_text("3 leads selected.")
    page.get_by_label("Action").select_option("assign")
    # Only the chosen action's fields show.
    expect(page.get_by_label("Cadence")).to_be_hidden()
    page.get_by_label("New owner").select_option(label="Nina New")
    page.get_by_role("button", name="Apply").click()

    expect(page.locator("#bulk-result")).to_contain_text("3 changed")
    # The list refreshed itself: the three rows now show their new owner.
    expect(page.locator("#lead-results tr", has_text="Ada One")).to_contain_text("Nina New")
    assert set(
        Lead.objects.filter(pk__in=[x.pk for x in chosen]).values_list("owner_id", flat=True)
    ) == {new.pk}
    assert Lead.objects.get(pk=untouched.pk).owner_id == old.pk
    assert OwnerChange.objects.filter(to_owner=new).count() == 3
    assert violations == []
