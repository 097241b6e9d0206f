"""How figures are split (`group_by`) and narrowed (filters).

Cohort figures group a lead by its own attributes: the month it was created, its
`source_campaign` (first touch), that campaign's channel, its current owner. Flow and
time in stage group a move by the month it happened and by the moving lead's campaign,
channel or owner. Month groups therefore partition the window into calendar months
(clipped to the window), and the other groupings partition the leads, so group counts
always add up to the totals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

from django.contrib.auth import get_user_model
from django.db.models import F, Q
from django.utils import timezone

from funnel.metrics.aggregates import MonthOfWindow
from funnel.metrics.window import Window, site_timezone
from marketing.models import Campaign

NONE_KEY = "none"


class GroupBy(StrEnum):
    MONTH = "month"
    CAMPAIGN = "campaign"
    CHANNEL = "channel"
    OWNER = "owner"


GROUP_BY_CHOICES = [(g.value, g.value.capitalize()) for g in GroupBy]

# The lead attribute each grouping (and each filter) reads, relative to the lead.
_LEAD_FIELDS = {
    GroupBy.CAMPAIGN: "source_campaign_id",
    GroupBy.CHANNEL: "source_campaign__channel",
    GroupBy.OWNER: "owner_id",
}


@dataclass(frozen=True)
class MetricFilters:
    campaign_id: int | None = None
    channel: str | None = None
    owner_id: int | None = None

    def lead_q(self, prefix: str = "") -> Q:
        """Conditions on the lead; `prefix` is "lead__" when filtering its stage changes."""
        q = Q()
        if self.campaign_id is not None:
            q &= Q(**{f"{prefix}source_campaign_id": self.campaign_id})
        if self.channel:
            q &= Q(**{f"{prefix}source_campaign__channel": self.channel})
        if self.owner_id is not None:
            q &= Q(**{f"{prefix}owner_id": self.owner_id})
        return q

    def is_empty(self) -> bool:
        return self.campaign_id is None and not self.channel and self.owner_id is None


def group_expression(group_by: GroupBy, *, time_field: str, window: Window, prefix: str = ""):
    """The SQL expression a row is grouped on: its month in the window, or a lead field."""
    if group_by == GroupBy.MONTH:
        zone = site_timezone()
        # Bucket boundaries: the window's start, then each later month's first midnight.
        starts = [window.start] + [
            datetime.combine(month, time.min, tzinfo=zone) for month in window.months()[1:]
        ]
        return MonthOfWindow(time_field, month_starts=starts, tzinfo=zone)
    return F(f"{prefix}{_LEAD_FIELDS[group_by]}")


def group_key(group_by: GroupBy, value, *, window: Window) -> str:
    """The stable, URL-safe key of a group ("2025-03", a campaign id, a channel, "none")."""
    if value is None or value == "":
        return NONE_KEY
    if group_by == GroupBy.MONTH:
        if isinstance(value, int):  # PostgreSQL: the month's 1-based index in the window
            value = window.months()[value - 1]
        elif isinstance(value, str):  # SQLite: "YYYY-MM-01 00:00:00", local time
            return value[:7]
        elif isinstance(value, datetime):
            if timezone.is_aware(value):
                value = timezone.localtime(value, site_timezone())
            value = value.date()
        return f"{value.year:04d}-{value.month:02d}"
    return str(value)


def month_keys(window: Window) -> list[str]:
    return [f"{m.year:04d}-{m.month:02d}" for m in window.months()]


def group_labels(group_by: GroupBy, keys: list[str]) -> dict[str, str]:
    """Human labels for group keys; one query at most (campaign names or user names)."""
    labels: dict[str, str] = {}
    ids = [int(k) for k in keys if k != NONE_KEY and k.isdigit()]
    if group_by == GroupBy.MONTH:
        for key in keys:
            year, month = (int(part) for part in key.split("-"))
            labels[key] = date(year, month, 1).strftime("%b %Y")
    elif group_by == GroupBy.CHANNEL:
        choices = dict(Campaign.Channel.choices)
        labels = {key: str(choices.get(key, key)) for key in keys}
        labels[NONE_KEY] = "No campaign"
    elif group_by == GroupBy.CAMPAIGN:
        if ids:
            names = Campaign.objects.filter(pk__in=ids).values_list("pk", "name")
            labels = {str(pk): name for pk, name in names}
        labels[NONE_KEY] = "No campaign"
    elif group_by == GroupBy.OWNER:
        if ids:
            users = get_user_model().objects.filter(pk__in=ids)
            users = list(users.only("pk", "first_name", "last_name", "username"))
            names = [u.get_full_name() or u.get_username() for u in users]
            for user, name in zip(users, names, strict=True):
                # Two reps with one name stay two rows (and two bars): add the username.
                if names.count(name) > 1:
                    name = f"{name} ({user.get_username()})"
                labels[str(user.pk)] = name
        labels[NONE_KEY] = "Unassigned"
    return labels
