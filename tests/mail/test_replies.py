"""Replies stop sequences: anymail's inbound webhook (signature verified) and "Mark as
replied" on the lead page's enrolment and through the API, each a reply touch, once."""

import hashlib
import hmac

import pytest
from django.test import Client
from django.urls import reverse

from mail import sending, services
from mail.models import Message
from marketing.models import Touch
from sales.models import Enrolment
from tests import factories
from tests.api.clients import token_client
from tests.sales.factories import EnrolmentFactory

KEY = "mailgun-signing-key"


@pytest.fixture
def enrolment(prospect, rep):
    return EnrolmentFactory(lead=prospect, enrolled_by=rep)


@pytest.fixture
def sent(prospect, rep, settings, enrolment):
    settings.EMAIL_BACKEND = "mail.backends.SinkBackend"
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": KEY}
    message = services.message_compose(lead=prospect, sender=rep, subject="Hi", body_text="x")
    sending.messages_send()
    message.refresh_from_db()
    return message


def inbound(in_reply_to: str, *, key: str = KEY):
    timestamp, token = "1800000000", "tok-in"
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    mime = (
        "From: Ada <ada@example.com>\r\nTo: rep@example.com\r\nSubject: Re: Hi\r\n"
        f"In-Reply-To: {in_reply_to}\r\nMessage-ID: <reply-1@mail.example>\r\n\r\nYes, Friday.\r\n"
    )
    return Client().post(
        "/mail/webhooks/mailgun/inbound/",
        {"body-mime": mime, "timestamp": timestamp, "token": token, "signature": signature},
    )


def replies() -> int:
    return Touch.objects.filter(kind=Touch.Kind.EMAIL_REPLY).count()


def test_inbound_reply_is_recorded_once_and_stops_the_enrolment(sent, enrolment):
    for _ in range(2):
        assert inbound(sent.message_id).status_code == 200
    sent.refresh_from_db()
    enrolment.refresh_from_db()
    assert sent.replied_at is not None and replies() == 1
    assert enrolment.status == Enrolment.Status.STOPPED and "replied" in enrolment.stop_reason


def test_inbound_with_a_bad_signature_is_400_and_records_nothing(sent, enrolment):
    assert inbound(sent.message_id, key="wrong").status_code == 400
    sent.refresh_from_db()
    enrolment.refresh_from_db()
    assert sent.replied_at is None and replies() == 0
    assert enrolment.status == Enrolment.Status.ACTIVE


def test_inbound_answering_no_message_of_ours_records_nothing(sent, enrolment):
    assert inbound("<someone-else@elsewhere.example>").status_code == 200
    assert replies() == 0 and not Message.objects.filter(replied_at__isnull=False).exists()


def test_mark_as_replied_on_the_lead_page_enrolment(login, prospect, rep, enrolment):
    page = login(rep).get(reverse("leads:detail", args=[prospect.pk])).content.decode()
    url = reverse("mail:enrolment_replied", args=[enrolment.pk])
    assert f'action="{url}"' in page
    response = login(rep).post(url)
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.STOPPED and replies() == 1
    login(rep).post(url)  # a second click records nothing more
    assert replies() == 1


def test_mark_as_replied_marks_the_enrolments_latest_sent_email(rep, enrolment, settings):
    settings.EMAIL_BACKEND = "mail.backends.SinkBackend"
    step = enrolment.sequence.steps.order_by("position").first()
    message = Message.objects.create(
        kind="sales",
        lead=enrolment.lead,
        to_email=enrolment.lead.email,
        to_domain="example.com",
        from_email="x@example.com",
        subject="Step",
        enrolment=enrolment,
        step=step,
        status="sent",
    )
    assert services.enrolment_mark_replied(enrolment_id=enrolment.pk, actor=rep)
    message.refresh_from_db()
    assert message.replied_at is not None and replies() == 1


def test_mark_as_replied_through_the_api_is_scoped(rep, other_rep, enrolment):
    url = f"/api/v1/enrolments/{enrolment.pk}/mark-replied/"
    assert token_client(other_rep).post(url).status_code == 404
    response = token_client(rep).post(url)
    assert response.status_code == 200 and response.json()["status"] == "stopped"
    assert token_client(rep).post(url).status_code == 200 and replies() == 1


def test_the_button_is_only_for_who_may_change_the_lead(login, prospect, manager, enrolment):
    url = reverse("mail:enrolment_replied", args=[enrolment.pk])
    page = login(manager).get(reverse("leads:detail", args=[prospect.pk])).content.decode()
    assert f'action="{url}"' in page
    rep = factories.RepFactory()
    assert login(rep).post(url).status_code == 404
