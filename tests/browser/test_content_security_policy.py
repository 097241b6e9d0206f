"""Under the Content-Security-Policy every page still works and the browser refuses
nothing: no console error, no "Refused to ..." line, on pages with charts, htmx
interactions, confirm dialogs, the admin, the browsable API and the API docs (Swagger UI)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.flows_support import sales_world_build, sign_in
from tests.factories import PASSWORD, UserFactory

# This test reads what the browser itself reports; axe-core injected by the suite would
# be part of that. The same pages are checked by test_accessibility_pages.py.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.no_axe]


@pytest.fixture
def complaints(page):
    """Every console error or warning, uncaught exception and failed request the browser
    reports (but Chromium's own guess at /favicon.ico: the pages name an SVG icon)."""
    found = []

    def on_console(message):
        # A failed load is reported below with its address.
        if message.type in ("error", "warning") and "Failed to load resource" not in message.text:
            found.append(f"{page.url}: {message.type}: {message.text}")

    def on_response(response):
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            found.append(f"{page.url}: {response.status} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: found.append(f"{page.url}: pageerror: {error}"))
    page.on("response", on_response)
    return found


def test_manager_pages_run_under_the_policy(live_server, page, complaints):
    world = sales_world_build()
    sign_in(page, live_server, "morgan")

    page.goto(f"{live_server.url}/dashboard/")
    # plotly drew the charts (an SVG inside each chart element).
    expect(page.locator("[data-chart] .main-svg").first).to_be_visible()

    page.goto(f"{live_server.url}/leads/")
    page.get_by_label("Search").fill("Northwind")
    expect(page).to_have_url(re.compile(r"=Northwind"))  # htmx swapped the results

    page.goto(f"{live_server.url}/leads/{world.prospect.pk}/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    page.goto(f"{live_server.url}/marketing/campaigns/{world.campaign.pk}/")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Regenerate key").click()
    assert asked == ["Forms using the current key will stop working. Continue?"]
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    page.goto(f"{live_server.url}/integrations/api-keys/")
    page.goto(f"{live_server.url}/api/v1/leads/")  # the browsable API (base settings)
    expect(page.locator(".response-info")).to_be_visible()
    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Funnel API")

    assert complaints == [], "\n".join(complaints)


def test_admin_runs_under_the_policy(live_server, page, complaints):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/admin/leads/lead/")
    expect(page.locator("#changelist")).to_be_visible()
    # django-celery-beat's form: its inline script is replaced by a static file.
    page.goto(f"{live_server.url}/admin/django_celery_beat/periodictask/add/")
    expect(page.locator("#id_crontab")).to_be_attached()
    expect(page.locator(".field-crontab_translation")).to_be_hidden()

    assert complaints == [], "\n".join(complaints)
