"""An unsubscribe, a hard bounce or a spam complaint suppresses the address for every
kind of mail (a rep's own, a campaign send, a sequence step), including mail already
queued; an unsubscribe or a complaint also withdraws the lead's marketing consent, with a
field-history row."""

import hashlib
import hmac
import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from leads.models import LeadChange
from lists.models import SavedView
from mail import campaigns, events, sending, services, tokens
from mail.models import Message, Suppression
from tests import factories

KEY = "mailgun-signing-key"


@pytest.fixture
def sent(prospect, rep, settings):
    settings.EMAIL_BACKEND = "mail.backends.SinkBackend"
    settings.MAIL_ESP_REPORTS_DELIVERY = True
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": KEY}
    prospect.marketing_consent = True
    prospect.save(update_fields=["marketing_consent"])
    message = services.message_compose(lead=prospect, sender=rep, subject="Hi", body_text="x")
    sending.messages_send()
    message.refresh_from_db()
    return message


def esp_event(message, event: str):
    timestamp, token = "1800000000", "tok-1"
    signature = hmac.new(KEY.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    body = {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": {
            "timestamp": 1806543000.0,
            "user-variables": {"funnel_message": message.message_id},
            **event,
        },
    }
    return Client().post(
        "/mail/webhooks/mailgun/tracking/", json.dumps(body), content_type="application/json"
    )


def unsubscribe_by_link(message):
    url = tokens.unsubscribe_url(message.pk).split("8000", 1)[1]
    assert Client().post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200


HOW = {
    "unsubscribe link": unsubscribe_by_link,
    "ESP unsubscribe": lambda m: esp_event(m, {"event": "unsubscribed"}),
    "hard bounce": lambda m: esp_event(m, {"event": "failed", "severity": "permanent"}),
    "complaint": lambda m: esp_event(m, {"event": "complained"}),
}


@pytest.mark.parametrize("how", list(HOW))
def test_suppressed_for_rep_campaign_and_sequence_mail(how, sent, rep, marketer):
    queued = services.message_compose(
        lead=sent.lead, sender=rep, subject="Later", body_text="x", send_after=None
    )
    HOW[how](sent)

    assert Suppression.objects.filter(email=sent.to_email).exists()
    # A rep's own mail is refused when written...
    with pytest.raises(ValidationError, match="suppression"):
        services.message_compose(lead=sent.lead, sender=rep, subject="s", body_text="b")
    # ...and what was queued before is skipped with the reason, never sent.
    assert sending.messages_send() == 0
    queued.refresh_from_db()
    assert queued.status == "skipped" and "suppression" in queued.reason
    # A campaign send skips the address too, consent or not.
    sent.lead.marketing_consent = True
    sent.lead.save(update_fields=["marketing_consent"])
    factories.LeadFactory(marketing_consent=True, company="Other Co")
    view = SavedView.objects.create(user=marketer, list_kind="list", name="All", query="")
    send = campaigns.campaign_send_create(
        actor=marketer, name="N", saved_view=view, subject="s", body_text="b"
    )
    campaigns.campaign_send_expand(send_id=send.pk)
    skipped = Message.objects.get(campaign_send=send, lead=sent.lead)
    assert skipped.status == "skipped" and "suppression" in skipped.reason


@pytest.mark.parametrize("how", ["unsubscribe link", "ESP unsubscribe", "complaint"])
def test_unsubscribe_and_complaint_withdraw_consent_with_history(how, sent):
    HOW[how](sent)
    HOW[how](sent)  # a repeat changes nothing more

    sent.lead.refresh_from_db()
    assert sent.lead.marketing_consent is False
    change = LeadChange.objects.get(lead=sent.lead, field="marketing_consent")
    assert (change.old_value, change.new_value) == ("true", "false")
    assert change.source == ("web" if how == "unsubscribe link" else "api")
    assert str(sent.pk) in change.request_id


def test_a_hard_bounce_leaves_consent_alone(sent):
    events.message_event(message=sent, event="bounced", at=sent.sent_at)
    sent.lead.refresh_from_db()
    assert sent.lead.marketing_consent is True
    assert not LeadChange.objects.filter(field="marketing_consent").exists()
