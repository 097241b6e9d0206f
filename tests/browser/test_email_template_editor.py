"""Issue 15's template editor in a browser: a marketer opens it from the Marketing
sub-navigation, types a template with an unknown merge field (the live preview names it),
fixes it, previews it for a chosen lead as they type, saves it; at laptop and phone width."""

import pytest
from playwright.sync_api import expect

from mail.models import EmailTemplate
from tests import factories
from tests.browser.screens import save
from tests.browser.test_move_lead import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_marketer_writes_a_template_with_a_live_preview(live_server, page):
    factories.MarketerFactory(username="mara", first_name="Mara", last_name="Quinn")
    factories.LeadFactory(first_name="Zed", company="First Co")
    factories.LeadFactory(first_name="Grace", company="Navy", email="grace@navy.example")

    sign_in(page, live_server, "mara")
    page.goto(f"{live_server.url}/marketing/")
    page.get_by_role("navigation", name="Marketing").get_by_role(
        "link", name="Email templates"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Email templates")
    page.locator("#template-new").click()

    page.get_by_label("Name").fill("Spring intro")
    page.get_by_label("Kind").select_option("marketing")
    page.get_by_label("Subject").fill("Hi {{ first_name }}")
    page.get_by_label("Plain text").fill("About {{ compnay }}")
    preview = page.locator("#template-preview")
    expect(preview).to_contain_text("Unknown merge field {{ compnay }}")

    page.get_by_label("Plain text").fill("About {{ company }}")
    page.get_by_label("HTML").fill("<p>News for <b>{{ company }}</b></p><script>x()</script>")
    page.get_by_label("Preview as").fill("grace@navy.example")
    expect(preview).to_contain_text("Preview for Grace")
    expect(preview).to_contain_text("About Navy")
    expect(preview.locator(".email-preview-html b")).to_have_text("Navy")
    save(page, "email-template-editor")
    save(page, "email-template-editor", phone=True)

    page.get_by_role("button", name="Save template").click()
    expect(page.locator("#messages")).to_contain_text("Template “Spring intro” saved.")
    template = EmailTemplate.objects.get()
    assert template.kind == "marketing" and "script" not in template.body_html

    page.goto(f"{live_server.url}/mail/templates/")
    expect(page.locator("#template-list")).to_contain_text("Spring intro")
    save(page, "email-templates")
    save(page, "email-templates", phone=True)
