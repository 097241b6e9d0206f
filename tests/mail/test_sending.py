"""A rep's email to a lead, sent through a real SMTP server: headers, once only, the
timeline, refusals."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mail import sending, services
from mail.models import Message, SinkMessage, Suppression
from sales.models import Activity
from tests import factories


def compose(lead, sender, **kwargs):
    return services.message_compose(
        lead=lead,
        sender=sender,
        subject=kwargs.pop("subject", "Hello {{ first_name }}"),
        body_text=kwargs.pop(
            "body_text", "Hi {{ first_name }}, about {{ company }}.\n{{ rep_signature }}"
        ),
        **kwargs,
    )


def test_sent_once_with_its_message_id_and_unsubscribe_headers(smtp, prospect, rep):
    message = compose(
        prospect, rep, body_html='<p>Hi <a href="https://x.example/a?b=1&c=2">look</a></p>'
    )
    assert message.status == Message.Status.QUEUED
    assert message.message_id.startswith("<") and message.message_id.endswith(">")

    assert sending.messages_send() == 1
    assert sending.messages_send() == 0
    assert len(smtp.received) == 1
    recipients, email = smtp.received[0]
    assert recipients == [prospect.email]
    assert email["Message-ID"] == message.message_id
    assert email["Subject"] == "Hello Ada"
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = str(email["List-Unsubscribe"]).strip()
    assert unsubscribe.startswith("<http://") and "/mail/u/" in unsubscribe
    assert email["Reply-To"] == rep.email
    text = email.get_body(("plain",)).get_content()
    assert "Hi Ada, about Analytical Engines." in text
    assert "unsubscribe: http" in text
    html = email.get_body(("html",)).get_content()
    assert "/mail/c/" in html and "x.example" not in html  # links go through the redirect
    assert ">unsubscribe</a>" in html

    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.sent_at is not None
    activity = Activity.objects.get(lead=prospect)
    assert activity.kind == Activity.Kind.EMAIL and activity.subject == "Hello Ada"
    assert activity.done_at is not None and activity.owner == rep


def test_scheduled_message_waits_for_its_time(smtp, prospect, rep, clock):
    message = compose(prospect, rep, send_after=timezone.now() + timedelta(hours=2))
    assert sending.messages_send() == 0
    clock.shift(timedelta(hours=2, seconds=1))
    assert sending.messages_send() == 1
    assert smtp.handler.message_ids() == [message.message_id]


def test_suppressed_address_is_refused_when_composed(prospect, rep):
    services.suppression_add(email=prospect.email.upper(), reason=Suppression.Reason.MANUAL)
    with pytest.raises(ValidationError) as error:
        compose(prospect, rep)
    assert "suppression list" in str(error.value)
    assert not Message.objects.exists()


def test_suppressed_after_queueing_is_skipped_with_the_reason(smtp, prospect, rep):
    message = compose(prospect, rep)
    services.suppression_add(email=prospect.email, reason=Suppression.Reason.COMPLAINT)
    assert sending.messages_send() == 0
    message.refresh_from_db()
    assert message.status == Message.Status.SKIPPED
    assert "suppression list" in message.reason
    assert smtp.received == []


def test_sales_mail_to_a_plain_lead_needs_consent(rep):
    lead = factories.LeadFactory(owner=rep, marketing_consent=False)
    with pytest.raises(ValidationError) as error:
        compose(lead, rep)
    assert "marketing consent" in str(error.value)
    lead_with_consent = factories.LeadFactory(owner=rep, marketing_consent=True)
    assert compose(lead_with_consent, rep).status == Message.Status.QUEUED


def test_marketing_mail_needs_consent_even_for_a_prospect(prospect, rep):
    with pytest.raises(ValidationError) as error:
        compose(prospect, rep, kind="marketing")
    assert "marketing consent" in str(error.value)


def test_permanent_refusal_fails_the_message_for_good(smtp, prospect, rep):
    smtp.handler.refuse.add(prospect.email)
    message = compose(prospect, rep)
    assert sending.messages_send() == 0
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert "550" in message.reason


def test_transient_error_retries_later_without_a_double(settings, prospect, rep, clock):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens
    settings.EMAIL_TIMEOUT = 1
    message = compose(prospect, rep)
    assert sending.messages_send() == 0
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED and message.attempts == 1
    assert message.send_after > timezone.now()


def test_sink_backend_keeps_each_message_for_the_outbox_page(settings, prospect, rep):
    settings.EMAIL_BACKEND = "mail.backends.SinkBackend"
    message = compose(prospect, rep)
    sending.messages_send()
    stored = SinkMessage.objects.get()
    assert stored.message_id == message.message_id
    assert stored.subject == "Hello Ada"
    assert stored.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
