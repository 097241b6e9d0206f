"""The links in a message: one-click unsubscribe (RFC 8058), signed click redirects, the
open pixel; what they record (once, bots left out) and how they answer bad input."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from mail import sending, services, tokens
from mail.models import Message, Suppression
from marketing.models import Touch


@pytest.fixture
def sent(prospect, rep, settings):
    settings.EMAIL_BACKEND = "mail.backends.SinkBackend"
    message = services.message_compose(
        lead=prospect,
        sender=rep,
        subject="Hi",
        body_text="x",
        body_html='<p><a href="https://example.org/pricing?a=1&b=2">Pricing</a></p>',
    )
    sending.messages_send()
    message.refresh_from_db()
    return message


def path(url):
    return url.split("8000", 1)[1]


def test_one_click_post_unsubscribes_once_and_suppresses_everywhere(sent, clock):
    url = path(tokens.unsubscribe_url(sent.pk))
    client = Client()
    for _ in range(2):
        response = client.post(url, {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200
    suppression = Suppression.objects.get()
    assert suppression.email == sent.to_email
    assert suppression.reason == Suppression.Reason.UNSUBSCRIBE
    sent.refresh_from_db()
    assert sent.unsubscribed_at is not None
    # Later mail to the address is refused.
    with pytest.raises(Exception, match="suppression"):
        services.message_compose(lead=sent.lead, sender=sent.sender, subject="s", body_text="b")


def test_a_get_only_asks_so_link_scanners_unsubscribe_nobody(sent):
    response = Client().get(path(tokens.unsubscribe_url(sent.pk)))
    assert response.status_code == 200
    assert b"unsubscribe-confirm" in response.content
    assert not Suppression.objects.exists()


def test_forged_or_other_purpose_tokens_are_404(sent):
    client = Client()
    click_token = path(tokens.click_url(sent.pk, "https://x.org")).split("/")[3]
    assert client.post(f"/mail/u/{click_token}/").status_code == 404
    assert client.post("/mail/u/not-a-token/").status_code == 404
    assert client.get("/mail/c/garbage/").status_code == 404
    assert not Suppression.objects.exists()


def test_public_endpoints_are_throttled(sent, settings):
    settings.MAIL_PUBLIC_RATE = "3/min"
    client = Client()
    url = path(tokens.unsubscribe_url(sent.pk))
    codes = [client.get(url).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]


def test_click_redirects_to_the_signed_url_and_records_one_touch(sent, clock):
    clock.shift(timedelta(minutes=5))  # past the bot window
    url = path(tokens.click_url(sent.pk, "https://example.org/pricing?a=1&b=2"))
    client = Client(HTTP_USER_AGENT="Mozilla/5.0 (Macintosh)")
    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == "https://example.org/pricing?a=1&b=2"
    sent.refresh_from_db()
    assert sent.clicked_at is not None
    assert Touch.objects.filter(lead=sent.lead, kind=Touch.Kind.EMAIL_CLICK).count() == 1


def test_html_links_in_the_sent_email_point_at_the_redirect(sent):
    from mail.models import SinkMessage

    html = SinkMessage.objects.get().body_html
    assert "example.org" not in html and "/mail/c/" in html


@pytest.mark.parametrize(
    ("delay", "agent"),
    [(timedelta(seconds=3), "Mozilla/5.0"), (timedelta(minutes=5), "Proofpoint URL Defense")],
)
def test_bot_clicks_redirect_but_record_nothing(sent, clock, delay, agent):
    clock.shift(delay)
    url = path(tokens.click_url(sent.pk, "https://example.org/"))
    assert Client(HTTP_USER_AGENT=agent).get(url).status_code == 302
    sent.refresh_from_db()
    assert sent.clicked_at is None
    assert not Touch.objects.filter(kind=Touch.Kind.EMAIL_CLICK).exists()


def test_open_pixel_records_one_open_touch_and_always_answers_a_gif(sent, clock):
    clock.shift(timedelta(minutes=1))
    client = Client(HTTP_USER_AGENT="Mozilla/5.0")
    for url in (path(tokens.open_url(sent.pk)), path(tokens.open_url(sent.pk)), "/mail/o/x.gif"):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/gif"
    assert Touch.objects.filter(kind=Touch.Kind.EMAIL_OPEN).count() == 1


def test_delivery_by_smtp_or_the_sink_is_a_delivered_touch(sent):
    assert sent.delivered_at is not None
    assert Touch.objects.filter(lead=sent.lead, kind=Touch.Kind.EMAIL_DELIVERED).count() == 1


def test_mark_as_replied_stops_the_leads_sequences_and_is_a_touch(sent, rep):
    from sales.models import Enrolment
    from sales.services import leads_enrol, sequence_create

    sequence = sequence_create(
        name="Cadence", owner=rep, steps=[{"kind": "call", "subject": "Call", "day_offset": 3}]
    )
    leads_enrol(sequence_id=sequence.pk, lead_ids=[sent.lead_id], actor=rep)
    assert services.message_mark_replied(message=sent, actor=rep)
    assert not services.message_mark_replied(message=sent, actor=rep)
    enrolment = Enrolment.objects.get()
    assert enrolment.status == Enrolment.Status.STOPPED
    assert enrolment.stop_reason == "The lead replied."
    assert Touch.objects.filter(kind=Touch.Kind.EMAIL_REPLY).count() == 1
    assert Message.objects.get().replied_at is not None


def test_rate_limits_spread_a_large_send(settings, rep):
    from tests import factories

    settings.EMAIL_BACKEND = "mail.backends.SinkBackend"
    settings.MAIL_RATE_PER_MINUTE = 60  # 10 per 10 s window
    settings.MAIL_RATE_PER_DOMAIN_PER_MINUTE = 24  # 4 per window and domain
    for i in range(30):
        lead = factories.LeadFactory(
            email=f"p{i}@{'big' if i < 20 else 'small'}.example", owner=rep, marketing_consent=True
        )
        services.message_compose(lead=lead, sender=rep, subject="s", body_text="b")
    now = timezone.now()
    first = sending.messages_send(now=now)
    sent_domains = list(Message.objects.filter(status="sent").values_list("to_domain", flat=True))
    assert first == 8  # 4 per domain, two domains
    assert sent_domains.count("big.example") == 4
    # Within the same window nothing more goes; the next window takes the next slice.
    assert sending.messages_send(now=now + timedelta(seconds=1)) == 0
    assert sending.messages_send(now=now + timedelta(seconds=30)) == 8


def test_link_urls_are_what_reverse_gives(settings):
    from django.urls import reverse

    from mail.tokens import CLICK_SALT, OPEN_SALT, UNSUBSCRIBE_SALT, _sign

    base = settings.MAIL_PUBLIC_BASE_URL.rstrip("/")
    url = "https://example.org/a?b=1&c=é"
    assert tokens.click_url(7, url) == base + reverse(
        "mail:click", args=[_sign([7, url], CLICK_SALT)]
    )
    assert tokens.unsubscribe_url(7) == base + reverse(
        "mail:unsubscribe", args=[_sign(7, UNSUBSCRIBE_SALT)]
    )
    assert tokens.open_url(7) == base + reverse("mail:open", args=[_sign(7, OPEN_SALT)])
