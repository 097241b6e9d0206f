"""Issue 15's sequence pages in a browser: a rep opens Sequences from the account menu,
writes a cadence with a call and an email step (adding steps and filling the email from a
sales template through htmx, an unknown merge field refused in place), saves it and finds
it in the list; at laptop and phone width."""

import pytest
from playwright.sync_api import expect

from mail.models import EmailTemplate, StepEmail
from sales.models import Sequence
from tests import factories
from tests.browser.screens import save
from tests.browser.test_move_lead import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rep_creates_a_sequence_with_an_email_step(live_server, page):
    factories.RepFactory(username="riley", first_name="Riley", last_name="Stone")
    EmailTemplate.objects.create(
        name="Warm intro", kind="sales", subject="Hello there", body_text="From a template"
    )
    sign_in(page, live_server, "riley")
    page.locator(".user-menu summary").click()
    page.locator(".user-menu").get_by_role("link", name="Sequences", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sequences")
    page.locator("#sequence-new").click()

    page.get_by_label("Name").fill("Spring outreach")
    page.locator("#step-0-kind").select_option("call")
    page.locator("#step-0-subject").fill("Intro call")
    page.locator("#step-add").click()
    expect(page.locator("#step-1-kind")).to_be_visible()
    page.locator("#step-1-kind").select_option("email")
    page.locator("#step-1-day").fill("3")
    page.locator("#step-1-subject").fill("Follow-up email")
    page.get_by_label("Start from a template").last.select_option(label="Warm intro")
    page.get_by_role("button", name="Use template for step 2").click()
    expect(page.locator("#step-1-email-body")).to_have_value("From a template")
    page.locator("#step-1-email-subject").fill("Hi {{ nickname }}")
    page.locator("#step-1-email-body").fill("Hello {{ first_name }},\nGood to talk.")
    page.locator("#sequence-save").click()
    expect(page.locator("#step-1-email-subject-error")).to_contain_text(
        "Unknown merge field {{ nickname }}"
    )
    assert not Sequence.objects.exists()

    page.locator("#step-1-email-subject").fill("Hi {{ first_name }}")
    save(page, "sequence-editor")
    save(page, "sequence-editor", phone=True)
    page.locator("#sequence-save").click()
    expect(page.locator("#messages")).to_contain_text("Saved the sequence Spring outreach.")
    sequence = Sequence.objects.get()
    assert [s.kind for s in sequence.steps.order_by("position")] == ["call", "email"]
    assert StepEmail.objects.get().subject == "Hi {{ first_name }}"

    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link").click()
    expect(page.locator("#sequence-table")).to_contain_text("Spring outreach")
    save(page, "sequences")
    save(page, "sequences", phone=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
