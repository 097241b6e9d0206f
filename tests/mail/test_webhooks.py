"""anymail's tracking and inbound webhooks (Mailgun's format here): a verified event is
recorded once; a bad signature or an unreadable payload is a 400 and records nothing."""

import hashlib
import hmac
import json

import pytest
from django.test import Client

from mail import sending, services
from mail.models import Message, Suppression
from marketing.models import Touch

KEY = "mailgun-signing-key"


@pytest.fixture
def sent(prospect, rep, settings):
    settings.EMAIL_BACKEND = "mail.backends.SinkBackend"
    settings.MAIL_ESP_REPORTS_DELIVERY = True
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": KEY}
    message = services.message_compose(lead=prospect, sender=rep, subject="Hi", body_text="x")
    sending.messages_send()
    message.refresh_from_db()
    return message


def post(event: dict, *, key: str = KEY, token: str = "tok-1", at: float | None = None):
    timestamp = "1800000000"
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    body = {"signature": {"timestamp": timestamp, "token": token, "signature": signature}}
    # An hour after the pinned clock: past the bot rule's window.
    body["event-data"] = {"timestamp": at or 1806543000.0, **event}
    return Client().post(
        "/mail/webhooks/mailgun/tracking/", json.dumps(body), content_type="application/json"
    )


def about(message, **event):
    return {"user-variables": {"funnel_message": message.message_id}, **event}


def test_delivery_event_is_recorded_once_as_a_touch(sent):
    assert sent.delivered_at is None  # the ESP reports deliveries, not the send
    for _ in range(2):
        assert post(about(sent, event="delivered")).status_code == 200
    sent.refresh_from_db()
    assert sent.delivered_at is not None
    assert Touch.objects.filter(kind=Touch.Kind.EMAIL_DELIVERED).count() == 1


def test_found_by_the_message_id_header_when_metadata_is_missing(sent):
    event = {"event": "opened", "message": {"headers": {"message-id": sent.message_id[1:-1]}}}
    assert post(event).status_code == 200
    sent.refresh_from_db()
    assert sent.opened_at is not None


@pytest.mark.parametrize(
    ("event", "reason", "column"),
    [
        ({"event": "failed", "severity": "permanent"}, "hard_bounce", "bounced_at"),
        ({"event": "complained"}, "complaint", "complained_at"),
    ],
)
def test_hard_bounce_and_complaint_suppress_the_address(sent, event, reason, column):
    assert post(about(sent, **event)).status_code == 200
    assert Suppression.objects.get().reason == reason
    sent.refresh_from_db()
    assert getattr(sent, column) is not None


def test_soft_bounce_suppresses_nothing(sent):
    assert post(about(sent, event="failed", severity="temporary")).status_code == 200
    assert not Suppression.objects.exists()


def test_bad_signature_is_400_and_records_nothing(sent):
    response = post(about(sent, event="complained"), key="wrong")
    assert response.status_code == 400
    assert not Suppression.objects.exists()


@pytest.mark.parametrize(
    "body", [b"{not json", b'{"signature": {}}', b"[]", json.dumps({"x": 1}).encode()]
)
def test_malformed_payloads_are_400(sent, body):
    response = Client().post(
        "/mail/webhooks/mailgun/tracking/", body, content_type="application/json"
    )
    assert response.status_code == 400


def test_unknown_message_is_ignored(sent):
    event = {"event": "delivered", "user-variables": {"funnel_message": "<x@y>"}}
    assert post(event).status_code == 200
    assert Message.objects.filter(delivered_at__isnull=False).count() == 0
