"""Drive the main pages with a lifelike pipeline and screenshot them (see screens.py).

Run `FUNNEL_SCREENSHOTS=1 pytest tests/browser/test_screenshots.py` to refresh
docs/screenshots/. The assertions make sure each shot shows the page it is named after.
"""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser import screens
from tests.browser.data import pipeline_build
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_screenshots_of_the_main_pages(live_server, page):
    manager = factories.ManagerFactory(username="morgan", first_name="Morgan", last_name="Lee")
    rep = factories.RepFactory(username="riley", first_name="Riley", last_name="Stone")
    other = factories.RepFactory(username="casey", first_name="Casey", last_name="Park")
    leads = pipeline_build(reps=[rep, other], manager=manager, count=40)

    page.goto(f"{live_server.url}/login/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    screens.save(page, "login")

    page.get_by_label("Username").fill("riley")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Riley")
    expect(page.get_by_role("heading", name="Recent stage moves")).to_be_visible()
    screens.save(page, "home")
    screens.save(page, "home", phone=True)

    page.get_by_role("link", name="Leads", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Leads")
    screens.save(page, "lead-list")
    screens.save(page, "lead-list", phone=True)

    page.get_by_role("link", name="Prospects", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Prospects")
    screens.save(page, "prospect-list")

    walked = next(
        lead for lead in reversed(leads) if lead.owner_id == rep.pk and lead.stage == "prospect"
    )
    page.goto(f"{live_server.url}/leads/{walked.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(walked.full_name)
    screens.save(page, "lead-page")
    screens.save(page, "lead-page", phone=True)
