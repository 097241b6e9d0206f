"""Small presentation filters shared by every page's templates."""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

from funnel import formatting

register = template.Library()


@register.filter
def ago(value: datetime | None) -> str:
    """Say "3 days ago" rather than humanize's "3 days, 10 hours ago": one unit reads faster
    in a list, and the exact time is in the element's title."""
    if not value:
        return ""
    now = timezone.now()
    if value > now or (now - value).total_seconds() < 60:
        return "just now"
    return f"{timesince(value, now, depth=1)} ago"


@register.filter
def age(value: datetime | None) -> str:
    """How long since `value`, in its largest unit ("3 weeks"), for "Prospect for 3 weeks"."""
    if not value:
        return ""
    now = timezone.now()
    if value > now or (now - value).total_seconds() < 60:
        return "a moment"
    return timesince(value, now, depth=1)


# Numbers: one formatter (funnel.formatting) for every page.
register.filter("amount", formatting.amount_text)
register.filter("money", formatting.money_text)
register.filter("percent", formatting.percent_text)
register.filter("exchange_rate", formatting.exchange_rate_text)
register.filter("roi", formatting.roi_text)
register.filter("person", formatting.person_name)
register.simple_tag(formatting.currency, name="currency")
