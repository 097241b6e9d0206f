"""anymail's tracking and inbound webhooks, received at /mail/webhooks/<esp>/... (anymail's
own routes, mail/urls.py). anymail verifies each ESP's signature or basic auth before a
signal fires (a bad one answers 400); a payload that cannot be read answers 400 too
(mail.urls wraps the views), never 500."""

import logging
import re

from anymail.signals import EventType, inbound, tracking
from django.dispatch import receiver
from django.utils import timezone

logger = logging.getLogger(__name__)

# anymail's normalised event -> ours. A soft bounce (deferred) is not a bounce.
EVENTS = {
    EventType.DELIVERED: "delivered",
    EventType.OPENED: "opened",
    EventType.CLICKED: "clicked",
    EventType.BOUNCED: "bounced",
    EventType.COMPLAINED: "complained",
    EventType.UNSUBSCRIBED: "unsubscribed",
}
MESSAGE_ID = re.compile(r"<[^<>\s]+@[^<>\s]+>")


@receiver(tracking, dispatch_uid="mail.tracking")
def tracking_received(sender, event, esp_name, **kwargs) -> None:
    from mail import events, services

    ours = EVENTS.get(event.event_type)
    if ours is None:
        return
    metadata = event.metadata if isinstance(event.metadata, dict) else {}
    # Our Message-ID comes back as metadata, or as the ESP's message id when it keeps the
    # header's (Mailgun); otherwise the id the ESP gave when it accepted the message.
    message = events.message_find(
        funnel_id=str(metadata.get("funnel_message") or event.message_id or ""),
        esp_id=str(event.message_id or ""),
    )
    if message is None:
        logger.info("%s %s event for an unknown message ignored", esp_name, ours)
        return
    at = event.timestamp or timezone.now()
    if ours in ("opened", "clicked") and events.is_bot(
        message=message, at=at, user_agent=event.user_agent or ""
    ):
        return
    if ours == "unsubscribed":
        services.message_unsubscribe(message=message, at=at, via="api")
        return
    events.message_event(message=message, event=ours, at=at, detail=(event.description or "")[:500])


@receiver(inbound, dispatch_uid="mail.inbound")
def inbound_received(sender, event, esp_name, **kwargs) -> None:
    """A reply: the message it answers, by In-Reply-To / References."""
    from mail import events, services

    message = event.message
    if message is None:
        return
    quoted = " ".join(
        str(message.get(header, "") or "") for header in ("In-Reply-To", "References")
    )
    for message_id in MESSAGE_ID.findall(quoted):
        found = events.message_find(funnel_id=message_id)
        if found is not None:
            services.message_mark_replied(message=found)
            return
    logger.info("%s inbound message answers no message of ours", esp_name)
