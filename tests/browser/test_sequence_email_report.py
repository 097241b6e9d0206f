"""Issue 15's per-step report in a browser: a rep opens "Sequence email reports" from the
account menu and reads a sequence's figures by step, at laptop and phone width."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mail.models import Message
from tests import factories
from tests.browser.screens import save
from tests.browser.test_move_lead import sign_in
from tests.sales.factories import EnrolmentFactory, SequenceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rep_reads_the_step_report(live_server, page):
    rep = factories.RepFactory(username="riley", first_name="Riley", last_name="Stone")
    sequence = SequenceFactory(owner=rep, name="Onboarding")
    step = sequence.steps.filter(kind="email").order_by("position").first()
    for opened in (True, True, False):
        enrolment = EnrolmentFactory(sequence=sequence, enrolled_by=rep)
        Message.objects.create(
            kind="sales",
            lead=enrolment.lead,
            to_email=enrolment.lead.email,
            to_domain="example.com",
            from_email="riley@example.com",
            subject="Intro",
            enrolment=enrolment,
            step=step,
            status="sent",
            sent_at=timezone.now(),
            opened_at=timezone.now() if opened else None,
        )

    sign_in(page, live_server, "riley")
    page.locator(".user-menu summary").click()
    page.get_by_role("link", name="Sequence email reports").click()
    page.get_by_role("link", name="Onboarding").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Onboarding: email by step")
    first = page.locator("#step-report tbody tr").first
    expect(first.locator('td[data-label="Sent"]')).to_have_text("3")
    expect(first.locator('td[data-label="Opened"]')).to_have_text("2")
    save(page, "sequence-email-report")
    save(page, "sequence-email-report", phone=True)
