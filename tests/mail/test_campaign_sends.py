"""Campaign email to a saved view: 0 leads refused, preview, test send, expansion (consent,
suppression, once per lead), the report against independently computed figures."""

import random
from datetime import timedelta

import pytest
from django.core import mail as django_mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from lists.models import SavedView
from mail import campaigns, events, selectors, sending, services
from mail.models import CampaignSend, Message, Suppression
from marketing.models import Touch
from tests import factories


@pytest.fixture
def view(marketer):
    return SavedView.objects.create(
        user=marketer, list_kind="list", name="Acme people", query="search=acme"
    )


def people(n, **kwargs):
    return [
        factories.LeadFactory(email=f"p{i}@acme{i % 3}.example", company="Acme", **kwargs)
        for i in range(n)
    ]


def create(marketer, view, **kwargs):
    return campaigns.campaign_send_create(
        actor=marketer,
        name=kwargs.pop("name", "March"),
        saved_view=view,
        subject=kwargs.pop("subject", "News for {{ company }}"),
        body_text=kwargs.pop("body_text", "Hello {{ first_name|there }}"),
        **kwargs,
    )


def test_a_view_with_no_leads_is_a_clear_error(marketer, view):
    with pytest.raises(ValidationError) as error:
        create(marketer, view)
    assert "no leads" in str(error.value)
    assert not CampaignSend.objects.exists()


def test_reps_may_not_send_campaigns(rep, view):
    people(1, marketing_consent=True)
    with pytest.raises(PermissionDenied):
        create(rep, view)


def test_expansion_writes_one_message_per_lead_and_explains_skips(marketer, view):
    consenting = people(4, marketing_consent=True)
    refusing = factories.LeadFactory(email="no@acme.example", company="Acme")
    services.suppression_add(email=consenting[0].email, reason=Suppression.Reason.UNSUBSCRIBE)
    send = create(marketer, view, campaign=factories.CampaignFactory())
    assert campaigns.campaign_send_expand(send_id=send.pk) == 3
    assert campaigns.campaign_send_expand(send_id=send.pk) == 0  # once only
    rows = {m.lead_id: m for m in Message.objects.filter(campaign_send=send)}
    assert len(rows) == 5
    assert rows[refusing.pk].status == "skipped" and "consent" in rows[refusing.pk].reason
    assert rows[consenting[0].pk].status == "skipped"
    assert "suppression" in rows[consenting[0].pk].reason
    assert rows[consenting[1].pk].subject == "News for Acme"
    assert rows[consenting[1].pk].campaign_id == send.campaign_id
    send.refresh_from_db()
    assert send.status == "expanded" and send.recipients == 5


def test_scheduled_send_expands_only_when_due(marketer, view, clock):
    people(2, marketing_consent=True)
    create(marketer, view, scheduled_at=timezone.now() + timedelta(hours=3))
    assert campaigns.campaign_sends_expand_due() == 0
    clock.shift(timedelta(hours=3, seconds=1))
    assert campaigns.campaign_sends_expand_due() == 2


def test_preview_and_test_send_from_the_page(login, marketer, view):
    marketer.email = "me@marketing.example"
    marketer.save()
    lead = people(2, marketing_consent=True)[1]
    lead.first_name = "Grace"
    lead.save()
    client = login(marketer)
    data = {
        "name": "March",
        "saved_view": view.pk,
        "subject": "Hi {{ first_name }}",
        "body_text": "Hello",
        "preview_email": lead.email,
    }
    response = client.post(reverse("mail:send_create"), {**data, "action": "preview"})
    assert response.status_code == 200 and "Hi Grace" in response.content.decode()
    response = client.post(reverse("mail:send_create"), {**data, "action": "test"})
    assert response.status_code == 200
    assert [m.subject for m in django_mail.outbox] == ["[Test] Hi Grace"]
    assert django_mail.outbox[0].to == ["me@marketing.example"]
    assert not Message.objects.exists() and not CampaignSend.objects.exists()
    response = client.post(reverse("mail:send_create"), {**data, "action": "send"})
    assert response.status_code == 302
    assert CampaignSend.objects.get().status == "scheduled"


def test_zero_lead_view_on_the_page_is_a_400(login, marketer, view):
    response = login(marketer).post(
        reverse("mail:send_create"),
        {"name": "x", "saved_view": view.pk, "subject": "s", "body_text": "b", "action": "send"},
    )
    assert response.status_code == 400
    assert "no leads" in response.content.decode()


def test_report_matches_independently_computed_figures(marketer, view, settings, clock):
    settings.EMAIL_BACKEND = "mail.backends.SinkBackend"
    settings.MAIL_ESP_REPORTS_DELIVERY = True  # deliveries come only from events here
    settings.MAIL_RATE_PER_DOMAIN_PER_MINUTE = 6000
    leads = people(40, marketing_consent=True)
    factories.LeadFactory(email="nope@acme.example", company="Acme")  # skipped
    send = create(marketer, view)
    campaigns.campaign_send_expand(send_id=send.pk)
    sending.messages_send(limit=500)
    clock.shift(timedelta(minutes=10))
    rng = random.Random(15)
    applied: dict[str, set[int]] = {e: set() for e in ("delivered", "opened", "clicked")}
    applied |= {"replied": set(), "bounced": set(), "unsubscribed": set()}
    messages = list(Message.objects.filter(campaign_send=send, status="sent"))
    for message in messages:
        for event in applied:
            for _ in range(rng.choice([0, 0, 1, 2])):  # repeats count once
                if event == "unsubscribed":
                    services.message_unsubscribe(message=message)
                else:
                    events.message_event(message=message, event=event, at=timezone.now())
                applied[event].add(message.pk)
    expected = {event: len(ids) for event, ids in applied.items()}
    expected |= {"messages": 41, "sent": 40, "skipped": 1, "queued": 0, "failed": 0}
    report = selectors.email_report(Message.objects.filter(campaign_send=send))
    assert report == expected
    # Touches: one per message and kind, with the send's campaign.
    assert Touch.objects.filter(kind=Touch.Kind.EMAIL_CLICK).count() == expected["clicked"]
    assert leads  # the cohort exists
