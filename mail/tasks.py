from celery import shared_task

from mail import sending


@shared_task
def messages_send(message_ids: list[int]) -> int:
    """Send these messages now if they are due and within the rate limits (queued on commit
    by a rep's send); whatever is left, the sweep sends. Safe to run twice: the claim is
    compare-and-set."""
    return sending.messages_send(ids=message_ids)


@shared_task
def messages_send_sweep() -> int:
    """Beat: send due messages (scheduled ones, the rest of a large send, lapsed claims),
    as many as the rate limits allow."""
    return sending.messages_send(limit=500)


@shared_task
def campaign_sends_expand_sweep() -> int:
    """Beat: turn due campaign sends into one message per lead."""
    from mail import campaigns

    return campaigns.campaign_sends_expand_due()
