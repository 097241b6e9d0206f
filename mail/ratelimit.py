"""Send rate limits: globally and per recipient domain, counted over a short sliding window
from the messages table itself (sent, or claimed and being sent), so every worker shares
them without a separate counter. The window is short (MAIL_RATE_WINDOW_SECONDS) and each
sweep takes only what is left of it, so a large send is spread evenly over time instead of
leaving in bursts; what does not fit stays queued for the next sweep."""

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q

from mail.models import Message


def _per_window(per_minute: int) -> int:
    return max(1, math.floor(per_minute * settings.MAIL_RATE_WINDOW_SECONDS / 60))


def budgets(*, now: datetime) -> tuple[int, dict[str, int], int]:
    """(global budget left, used per domain, per-domain budget per window). One query."""
    since = now - timedelta(seconds=settings.MAIL_RATE_WINDOW_SECONDS)
    recent = (
        Message.objects.filter(
            Q(sent_at__gte=since) | Q(status=Message.Status.SENDING, claimed_until__gte=now)
        )
        .values("to_domain")
        .annotate(n=Count("id"))
        .order_by()
    )
    used = {row["to_domain"]: row["n"] for row in recent}
    left = _per_window(settings.MAIL_RATE_PER_MINUTE) - sum(used.values())
    return max(0, left), used, _per_window(settings.MAIL_RATE_PER_DOMAIN_PER_MINUTE)


def pick(candidates: list[tuple[int, str]], *, now: datetime) -> list[int]:
    """The ids of (id, domain) candidates, in order, that fit in the budgets left."""
    left, used, per_domain = budgets(now=now)
    picked = []
    for pk, domain in candidates:
        if len(picked) >= left:
            break
        if used.get(domain, 0) >= per_domain:
            continue
        used[domain] = used.get(domain, 0) + 1
        picked.append(pk)
    return picked
