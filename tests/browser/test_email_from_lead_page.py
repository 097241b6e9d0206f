"""Issue 15's browser test: a rep opens a prospect's page, writes an email with merge
fields, previews it, sends it; the send worker delivers it to the local sink, the Outbox
page shows it as it arrived, and the lead's timeline records it."""

import pytest
from playwright.sync_api import expect

from funnel.services import lead_transition
from funnel.stages import Cause, Stage
from mail import sending
from mail.models import Message, SinkMessage
from tests import factories
from tests.browser.test_move_lead import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rep_emails_a_prospect_from_the_lead_page(live_server, page, settings):
    settings.EMAIL_BACKEND = "mail.backends.SinkBackend"
    rep = factories.RepFactory(username="riley", first_name="Riley", last_name="Stone")
    lead = factories.LeadFactory(
        owner=rep, first_name="Ada", last_name="Lovelace", company="Analytical Engines"
    )
    lead_transition(lead_id=lead.pk, to_stage=Stage.PROSPECT, cause=Cause.MANUAL)

    sign_in(page, live_server, "riley")
    page.goto(f"{live_server.url}/leads/{lead.pk}/")
    page.locator("#lead-email").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Email Ada Lovelace")

    page.get_by_label("Subject").fill("Next steps for {{ company }}")
    page.get_by_label("Message").fill("Hi {{ first_name }},\n\nShall we talk on Friday?")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#compose-preview-card")
    expect(preview).to_contain_text("Next steps for Analytical Engines")
    expect(preview).to_contain_text("Hi Ada,")
    page.screenshot(path="var/screenshot-email-compose.png", full_page=True)

    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#messages")).to_contain_text("Email sent: Next steps for Analytical")
    message = Message.objects.get(lead=lead)
    assert message.status == "queued"

    # The worker's turn (the test's task queue has no worker): send what is due.
    assert sending.messages_send() == 1
    assert SinkMessage.objects.get().message_id == message.message_id

    page.reload()
    expect(page.locator("#lead-timeline")).to_contain_text("Next steps for Analytical Engines")
    # The outbox is in the account menu.
    page.locator(".user-menu summary").click()
    page.get_by_role("link", name="Email outbox").click()
    page.get_by_role("link", name="Next steps for Analytical Engines").click()
    sink = page.locator("#sink-message")
    expect(sink).to_contain_text(lead.email)
    expect(sink).to_contain_text("List-Unsubscribe=One-Click")
    expect(sink).to_contain_text("Shall we talk on Friday?")
    page.screenshot(path="var/screenshot-email-outbox.png", full_page=True)
