"""Claim, send, mark: each message at most once, and at most once more after a crash.

1. Claim: one UPDATE moves due rows (queued and due, or `sending` whose lease lapsed: a
   worker died mid-send) to `sending` with a fresh claim token and lease, and counts the
   attempt; the rows carrying the token are this worker's. Two workers never hold a row.
2. Send through Django's email backend (anymail, SMTP, or the local sink), with the
   Message-ID fixed when the row was written.
3. Mark it sent, only while the claim still holds it.

A kill -9 between 2 and 3 leaves the row `sending`; when the lease lapses the next sweep
sends it again with the same Message-ID (receivers drop it as a duplicate). A row whose
second attempt also lapsed is marked failed ("outcome unknown") and never sent a third
time, so no message goes out more than twice whatever happens.
"""

import html
import logging
import re
import smtplib
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from mail import policy, ratelimit, tokens
from mail.models import MailKind, Message

logger = logging.getLogger(__name__)

# A lapsed claim is sent once more; a second lapse is an unknown outcome, never retried.
MAX_LAPSED_ATTEMPTS = 2
HREF = re.compile(r'href="(https?://[^"]+)"')


def _lease() -> timedelta:
    return timedelta(seconds=settings.MAIL_CLAIM_LEASE_SECONDS)


def _due(now: datetime) -> Q:
    return Q(status=Message.Status.QUEUED, send_after__lte=now) | Q(
        status=Message.Status.SENDING, claimed_until__lt=now
    )


def messages_claim(*, now: datetime, ids: list[int] | None = None, limit: int = 100) -> list:
    """Claim up to `limit` due messages within the rate limits; returns them, locked to this
    claim. Rows whose second lapsed attempt ended unknown are failed here."""
    due = Message.objects.filter(_due(now))
    if ids is not None:
        due = due.filter(pk__in=ids)
    Message.objects.filter(
        pk__in=due.filter(status=Message.Status.SENDING, attempts__gte=MAX_LAPSED_ATTEMPTS)
        .values("pk")
        .order_by()
    ).filter(_due(now)).update(
        status=Message.Status.FAILED,
        claimed_until=None,
        reason="Outcome unknown: the worker stopped twice while sending; not sent again.",
    )
    candidates = list(
        due.exclude(status=Message.Status.SENDING, attempts__gte=MAX_LAPSED_ATTEMPTS)
        .order_by("send_after", "pk")
        .values_list("pk", "to_domain")[: limit * 4]
    )
    picked = ratelimit.pick(candidates, now=now)[:limit]
    if not picked:
        return []
    token = uuid.uuid4().hex
    Message.objects.filter(pk__in=picked).filter(_due(now)).update(
        status=Message.Status.SENDING,
        claim_token=token,
        claimed_until=now + _lease(),
        attempts=F("attempts") + 1,
    )
    return list(
        Message.objects.filter(claim_token=token, status=Message.Status.SENDING)
        .select_related("lead", "sender", "enrolment")
        .order_by("send_after", "pk")
    )


def _footer_text(unsubscribe: str) -> str:
    return f"\n\n--\nTo stop receiving these emails, unsubscribe: {unsubscribe}\n"


def _html_with_tracking(message: Message, unsubscribe: str) -> str:
    body = message.body_html
    if not body:
        return ""
    if settings.MAIL_TRACK_CLICKS:
        body = HREF.sub(
            lambda m: f'href="{tokens.click_url(message.pk, html.unescape(m.group(1)))}"', body
        )
    footer = (
        '<p style="font-size:12px;color:#666">To stop receiving these emails, '
        f'<a href="{unsubscribe}">unsubscribe</a>.</p>'
    )
    pixel = ""
    if settings.MAIL_TRACK_OPENS:
        pixel = f'<img src="{tokens.open_url(message.pk)}" width="1" height="1" alt="">'
    return f"{body}{footer}{pixel}"


def email_build(message: Message, connection=None) -> EmailMultiAlternatives:
    """The email for a row, identical on every attempt (the row holds the merged content;
    links, footer and headers derive from its id)."""
    unsubscribe = tokens.unsubscribe_url(message.pk)
    headers = {
        "Message-ID": message.message_id,
        # RFC 8058: one-click unsubscribe by a POST from the mailbox provider.
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text + _footer_text(unsubscribe),
        from_email=message.from_email,
        to=[message.to_email],
        reply_to=[message.reply_to] if message.reply_to else None,
        headers=headers,
        connection=connection,
    )
    html = _html_with_tracking(message, unsubscribe)
    if html:
        email.attach_alternative(html, "text/html")
    # anymail passes these to the ESP, which returns them with every tracking event.
    email.metadata = {"funnel_message": message.message_id}
    return email


def _mark(message: Message, **values) -> bool:
    """Write an outcome while this worker's claim still holds the row."""
    return bool(
        Message.objects.filter(
            pk=message.pk, claim_token=message.claim_token, status=Message.Status.SENDING
        ).update(claimed_until=None, **values)
    )


def _refusal(message: Message, suppressed: set[str]) -> str:
    from sales.models import Enrolment

    if message.enrolment_id and message.enrolment.status != Enrolment.Status.ACTIVE:
        return f"The sequence enrolment ended ({message.enrolment.stop_reason or 'completed'})."
    return policy.refusal(
        lead=message.lead, kind=message.kind, suppressed=message.to_email.lower() in suppressed
    )


def _permanent(exc: Exception) -> bool:
    code = getattr(exc, "smtp_code", None)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [c for c, _ in exc.recipients.values()]
        return bool(codes) and all(c >= 500 for c in codes)
    return isinstance(code, int) and code >= 500


def messages_send(*, now: datetime | None = None, ids: list[int] | None = None, limit=100) -> int:
    """Claim due messages and send them over one backend connection. Returns how many went
    out. Safe to run in any number of workers at once."""
    from mail import sequences, services

    now = now or timezone.now()
    claimed = messages_claim(now=now, ids=ids, limit=limit)
    if not claimed:
        return 0
    suppressed = policy.suppressed_among(m.to_email for m in claimed)
    sent = 0
    delivered: list[int] = []
    _marks_without_fsync(True)
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as exc:
        # The server is unreachable: nothing was sent, every claimed row retries later.
        for message in claimed:
            _failed(message, exc, now=now)
        return 0
    try:
        for message in claimed:
            refusal = _refusal(message, suppressed)
            if refusal:
                _mark(message, status=Message.Status.SKIPPED, reason=refusal)
                continue
            if not message.rendered and not sequences.message_render(message=message, now=now):
                continue
            try:
                email = email_build(message, connection)
                connection.send_messages([email])
            except Exception as exc:
                _failed(message, exc, now=now)
                continue
            status = getattr(email, "anymail_status", None)
            esp_id = (getattr(status, "message_id", None) or "") if status else ""
            # Marked at once, one row at a time: a crash now re-sends only this message.
            outcome = {
                "status": Message.Status.SENT,
                "sent_at": timezone.now(),
                "esp_message_id": str(esp_id)[:300],
                "reason": "",
            }
            if message.kind == MailKind.SALES:
                with transaction.atomic():
                    marked = _mark(message, **outcome)
                    if marked:
                        services.message_sent_record(message=message)
            else:
                marked = _mark(message, **outcome)
            if marked:
                delivered.append(message.pk)
            sent += 1
    finally:
        try:
            connection.close()
        except Exception:
            logger.warning("Closing the email connection failed", exc_info=True)
        _marks_without_fsync(False)
        if delivered and not settings.MAIL_ESP_REPORTS_DELIVERY:
            from mail import events

            events.messages_delivered(message_ids=delivered, at=timezone.now())
    return sent


def _marks_without_fsync(on: bool) -> None:
    """PostgreSQL: the "sent" marks commit without waiting for the WAL flush (an fsync per
    message was most of a send's time). A database crash can lose the last marks; their
    rows are still claimed `sending`, so they are re-sent once with the same Message-ID:
    the same promise as a worker crash. The claims before them are durable."""
    if connection.vendor != "postgresql":
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF" if on else "RESET synchronous_commit")
    except DatabaseError:
        # A broken connection is closed by Django; the next one starts with the default.
        logger.warning("Could not set synchronous_commit", exc_info=True)


def _failed(message: Message, exc: Exception, *, now: datetime) -> None:
    """A refused message fails for good; a transient error goes back to the queue with a
    backoff until MAIL_MAX_ATTEMPTS (nothing was accepted, so a retry sends no double)."""
    reason = f"{type(exc).__name__}: {exc}"[:500]
    logger.warning("Sending message %s failed: %s", message.pk, reason)
    if _permanent(exc) or message.attempts >= settings.MAIL_MAX_ATTEMPTS:
        _mark(message, status=Message.Status.FAILED, reason=reason)
        return
    backoff = timedelta(seconds=60 * 2 ** (message.attempts - 1))
    _mark(message, status=Message.Status.QUEUED, send_after=now + backoff, reason=reason)
