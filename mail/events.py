"""What happened to a sent message, from the tracking links, the ESP's webhooks or a
person, recorded once and fed into the funnel (docs/architecture.md, "Email reports").

Each event sets its column on the message the first time only (a compare-and-set UPDATE
on `<event>_at IS NULL`), so repeated webhooks, reloads and retries count once. The first
delivery, open, click and reply of a message each become one marketing Touch of the
lead (with the message's campaign, for attribution), which the decaying score, the MQL
hand-off and the campaign results already read. A reply stops the lead's running
sequence enrolments; a hard bounce or complaint suppresses the address.

Bot rule: a click or open within MAIL_BOT_SECONDS of the message leaving, or from a user
agent that names itself a bot, scanner or preview fetcher, is a link scanner, not the
person: the redirect still works but nothing is recorded.
"""

import logging
import re
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from mail.models import Message, Suppression

logger = logging.getLogger(__name__)

COLUMNS = {
    "delivered": "delivered_at",
    "opened": "opened_at",
    "clicked": "clicked_at",
    "replied": "replied_at",
    "bounced": "bounced_at",
    "complained": "complained_at",
    "unsubscribed": "unsubscribed_at",
}
BOT_AGENT = re.compile(
    r"bot|spider|crawl|scan|preview|proofpoint|mimecast|barracuda|safelinks|python-requests|"
    r"curl|wget|headless",
    re.IGNORECASE,
)


def is_bot(*, message: Message, at: datetime, user_agent: str = "") -> bool:
    if user_agent and BOT_AGENT.search(user_agent):
        return True
    sent = message.sent_at
    return sent is not None and timedelta(0) <= at - sent < timedelta(
        seconds=settings.MAIL_BOT_SECONDS
    )


def _touch_kinds() -> dict[str, str]:
    from marketing.models import TouchKind

    return {
        "delivered": TouchKind.EMAIL_DELIVERED,
        "opened": TouchKind.EMAIL_OPEN,
        "clicked": TouchKind.EMAIL_CLICK,
        "replied": TouchKind.EMAIL_REPLY,
    }


def message_event(
    *,
    message: Message,
    event: str,
    at: datetime,
    actor: AbstractBaseUser | None = None,
    detail: str = "",
) -> bool:
    """Record `event` for `message`; True the first time, False for a repeat."""
    column = COLUMNS[event]
    with transaction.atomic():
        first = Message.objects.filter(pk=message.pk, **{f"{column}__isnull": True}).update(
            **{column: at}
        )
        if not first:
            return False
        setattr(message, column, at)
        kind = _touch_kinds().get(event)
        if kind:
            from marketing.services import TouchData, touches_record

            touches_record(
                touches=[
                    TouchData(
                        lead_id=message.lead_id,
                        kind=kind,
                        at=at,
                        campaign_id=message.campaign_id,
                        utm_source="funnel-email",
                        utm_medium="email",
                    )
                ]
            )
        if event == "replied":
            enrolments_stop(lead_id=message.lead_id, actor=actor)
        if event == "complained":
            # A spam complaint says "no more mail" as plainly as an unsubscribe.
            from mail.services import consent_withdraw

            consent_withdraw(
                email=message.to_email, at=at, via="api", why=f"complaint:{message.pk}"
            )
        if event in ("bounced", "complained"):
            from mail.services import suppression_add

            suppression_add(
                email=message.to_email,
                reason=Suppression.Reason.HARD_BOUNCE
                if event == "bounced"
                else Suppression.Reason.COMPLAINT,
                detail=detail or f"Reported for message {message.pk}",
                message=message,
            )
    return True


def enrolments_stop(*, lead_id: int, actor: AbstractBaseUser | None) -> None:
    from sales.models import Enrolment
    from sales.services import enrolment_stop

    for pk in Enrolment.objects.filter(lead_id=lead_id, status=Enrolment.Status.ACTIVE).values_list(
        "pk", flat=True
    ):
        enrolment_stop(enrolment_id=pk, actor=actor, reason="The lead replied.")


def message_find(*, funnel_id: str = "", esp_id: str = "") -> Message | None:
    """The message an ESP event or a reply is about: by our Message-ID (sent to the ESP as
    metadata, or quoted in In-Reply-To), else by the ESP's own id."""
    if funnel_id:
        found = Message.objects.filter(message_id=funnel_id.strip()).first()
        if found:
            return found
    if esp_id:
        return Message.objects.filter(esp_message_id=esp_id.strip()).first()
    return None


def messages_delivered(*, message_ids: list[int], at: datetime) -> int:
    """A batch the receiving server accepted (SMTP, the sink: no ESP to report deliveries)
    counts as delivered: one UPDATE and one INSERT of touches for the batch."""
    from marketing.models import TouchKind
    from marketing.services import TouchData, touches_record

    with transaction.atomic():
        rows = list(
            Message.objects.select_for_update()
            .filter(pk__in=message_ids, delivered_at__isnull=True)
            .order_by("pk")
            .values_list("pk", "lead_id", "campaign_id")
        )
        if not rows:
            return 0
        Message.objects.filter(pk__in=[pk for pk, _, _ in rows]).update(delivered_at=at)
        touches_record(
            touches=[
                TouchData(
                    lead_id=lead_id,
                    kind=TouchKind.EMAIL_DELIVERED,
                    at=at,
                    campaign_id=campaign_id,
                    utm_source="funnel-email",
                    utm_medium="email",
                )
                for _, lead_id, campaign_id in rows
            ]
        )
    return len(rows)
