"""A lead's timeline: stage changes, touches, activities, deals (opened and closed),
owner changes and field changes, newest first, keyset-paginated, in a bounded number of queries.

One UNION ALL query picks the page as (at, source, id) keys; then one query per source
present on the page loads its rows with what they show. So a page costs at most
1 + number of sources queries, whatever its size or the lead's history.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import DateTimeField, F, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils.dateparse import parse_datetime

from funnel.models import StageChange
from leads.models import Lead, LeadChange
from sales.models import Activity, Deal, OwnerChange
from sales.selectors.visibility import (
    activities_visible_to,
    can_work_sales,
    deals_visible_to,
)

MAX_PAGE_SIZE = 100

# Source ranks order entries that share a moment; the values are part of cursors.
STAGE_CHANGE, TOUCH, ACTIVITY, DEAL_OPENED, DEAL_CLOSED, OWNER_CHANGE = 1, 2, 3, 4, 5, 6
FIELD_CHANGE = 7
KIND_NAMES = {
    STAGE_CHANGE: "stage_change",
    TOUCH: "touch",
    ACTIVITY: "activity",
    DEAL_OPENED: "deal_opened",
    DEAL_CLOSED: "deal_closed",
    OWNER_CHANGE: "owner_change",
    FIELD_CHANGE: "field_change",
}


@dataclass(frozen=True)
class Entry:
    kind: str
    at: datetime
    item: Any


@dataclass(frozen=True)
class TimelinePage:
    entries: list[Entry]
    next_cursor: str | None


def touch_model():
    """marketing.Touch when the marketing app has it (the timeline works without)."""
    try:
        return apps.get_model("marketing", "Touch")
    except LookupError:
        return None


def _sources(user: AbstractBaseUser, lead: Lead) -> dict[int, tuple[QuerySet, Any]]:
    """rank -> (queryset of the lead's rows, expression of their moment)."""
    sources: dict[int, tuple[QuerySet, Any]] = {
        STAGE_CHANGE: (StageChange.objects.filter(lead=lead), F("at")),
        # Who changed which field, from where: everyone who sees the lead sees this. An
        # owner's change is the owner-change entry's (sales work), not told twice.
        FIELD_CHANGE: (LeadChange.objects.filter(lead=lead).exclude(field="owner"), F("at")),
    }
    touch = touch_model()
    if touch is not None:
        sources[TOUCH] = (touch.objects.filter(lead=lead), F("at"))
    if can_work_sales(user):
        # Sales work is the reps' and managers'; marketing sees the lead's funnel story.
        sources[ACTIVITY] = (
            activities_visible_to(user).filter(lead=lead),
            Coalesce(F("done_at"), F("created_at")),
        )
        deals = deals_visible_to(user).filter(lead=lead)
        sources[DEAL_OPENED] = (deals, F("created_at"))
        sources[DEAL_CLOSED] = (deals.filter(closed_at__isnull=False), F("closed_at"))
        sources[OWNER_CHANGE] = (OwnerChange.objects.filter(lead=lead), F("at"))
    return sources


def _after(rank: int, cursor: tuple[datetime, int, int]) -> Q:
    """Rows of source `rank` that come after the cursor in (at, rank, id) descending."""
    at, cursor_rank, cursor_id = cursor
    if rank < cursor_rank:
        return Q(t__lte=at)
    if rank > cursor_rank:
        return Q(t__lt=at)
    return Q(t__lt=at) | Q(t=at, pk__lt=cursor_id)


def lead_timeline(
    *,
    user: AbstractBaseUser,
    lead: Lead,
    cursor: str | None = None,
    page_size: int = 25,
) -> TimelinePage:
    """One page of the lead's timeline as `user` may see it (the caller has checked the
    lead itself is visible). An unreadable cursor gives the first page."""
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    position = decode_cursor(cursor)
    parts = []
    for rank, (queryset, moment) in _sources(user, lead).items():
        part = queryset.annotate(
            t=moment,
            r=Value(rank, output_field=IntegerField()),
            i=F("pk"),
        )
        if position is not None:
            part = part.filter(_after(rank, position))
        parts.append(part.order_by().values_list("t", "r", "i"))
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    keys = list(union.order_by("-t", "-r", "-i")[: page_size + 1])
    more = len(keys) > page_size
    keys = keys[:page_size]
    items = _load(keys)
    entries = [
        Entry(kind=_kind_name(rank, items[(rank, pk)]), at=_aware(at), item=items[(rank, pk)])
        for at, rank, pk in keys
        if (rank, pk) in items
    ]
    next_cursor = encode_cursor(keys[-1]) if more and keys else None
    return TimelinePage(entries=entries, next_cursor=next_cursor)


def _kind_name(rank: int, item: Any) -> str:
    if rank == DEAL_CLOSED:
        return f"deal_{item.status}"
    return KIND_NAMES[rank]


def _load(keys: list[tuple]) -> dict[tuple[int, int], Any]:
    """The rows behind the page's keys: one query per source on the page."""
    wanted: dict[int, set[int]] = {}
    for _, rank, pk in keys:
        wanted.setdefault(rank, set()).add(pk)
    loaded: dict[tuple[int, int], Any] = {}
    deal_ids = wanted.get(DEAL_OPENED, set()) | wanted.get(DEAL_CLOSED, set())
    if deal_ids:
        deals = Deal.objects.filter(pk__in=deal_ids).select_related("owner", "promotion")
        for deal in deals:
            for rank in (DEAL_OPENED, DEAL_CLOSED):
                if deal.pk in wanted.get(rank, ()):
                    loaded[(rank, deal.pk)] = deal
    loaders = {
        STAGE_CHANGE: lambda ids: StageChange.objects.filter(pk__in=ids).select_related("actor"),
        FIELD_CHANGE: lambda ids: LeadChange.objects.filter(pk__in=ids).select_related("actor"),
        ACTIVITY: lambda ids: Activity.objects.filter(pk__in=ids).select_related("owner", "deal"),
        OWNER_CHANGE: lambda ids: OwnerChange.objects.filter(pk__in=ids).select_related(
            "from_owner", "to_owner", "changed_by"
        ),
    }
    touch = touch_model()
    if touch is not None:
        loaders[TOUCH] = lambda ids: touch.objects.filter(pk__in=ids).select_related("campaign")
    for rank, loader in loaders.items():
        if rank in wanted:
            loaded.update({(rank, row.pk): row for row in loader(wanted[rank])})
    return loaded


def _aware(value: datetime | str) -> datetime:
    # SQLite hands back a UNION's datetimes as text; PostgreSQL as datetimes.
    if isinstance(value, str):
        value = parse_datetime(value)
    field = DateTimeField()
    return field.to_python(value)


def encode_cursor(key: tuple) -> str:
    at, rank, pk = key
    raw = json.dumps([_aware(at).isoformat(), rank, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[datetime, int, int] | None:
    if not cursor or len(cursor) > 200:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, rank, pk = json.loads(raw)
        moment = parse_datetime(at)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None
    valid = (
        moment is not None
        and moment.tzinfo is not None
        and isinstance(rank, int)
        and rank in KIND_NAMES
        and isinstance(pk, int)
        and 0 < pk < 2**63
    )
    return (moment, rank, pk) if valid else None


def _name(user) -> str | None:
    return user.get_username() if user is not None else None


def _money(amount, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def describe(entry: Entry) -> dict[str, Any]:
    """The entry as the API shows it: a one-line summary, who did it, and its fields."""
    item = entry.item
    if entry.kind == "stage_change":
        return {
            "summary": f"Moved from {item.from_stage} to {item.to_stage}",
            "actor": _name(item.actor),
            "data": {
                "from_stage": item.from_stage,
                "to_stage": item.to_stage,
                "cause": item.cause,
                "reason": item.reason,
            },
        }
    if entry.kind == "touch":
        campaign = item.campaign
        return {
            "summary": item.get_kind_display() + (f" ({campaign.name})" if campaign else ""),
            "actor": None,
            "data": {
                "kind": item.kind,
                "campaign": campaign.pk if campaign else None,
                "campaign_name": campaign.name if campaign else None,
                "utm_source": item.utm_source,
                "utm_medium": item.utm_medium,
                "utm_campaign": item.utm_campaign,
            },
        }
    if entry.kind == "activity":
        state = "done" if item.done_at else ("due" if item.due_at else "open")
        return {
            "summary": f"{item.get_kind_display()}: {item.subject}",
            "actor": _name(item.owner),
            "data": {
                "kind": item.kind,
                "subject": item.subject,
                "body": item.body,
                "state": state,
                "due_at": item.due_at.isoformat() if item.due_at else None,
                "done_at": item.done_at.isoformat() if item.done_at else None,
                "deal": item.deal_id,
            },
        }
    if entry.kind.startswith("deal_"):
        verb = {"deal_opened": "opened", "deal_won": "won", "deal_lost": "lost"}[entry.kind]
        summary = f"Deal {verb}: {item.title} ({_money(item.amount, item.currency)})"
        if entry.kind == "deal_lost" and item.lost_reason:
            summary += f", {item.lost_reason}"
        return {
            "summary": summary,
            "actor": _name(item.owner),
            "data": {
                "deal": item.pk,
                "title": item.title,
                "amount": str(item.amount),
                "currency": item.currency,
                "status": item.status,
                "closed_on": item.closed_on.isoformat() if item.closed_on else None,
                "lost_reason": item.lost_reason,
                "promo_code": item.promo_code,
            },
        }
    if entry.kind == "field_change":
        return {
            "summary": (
                f"{item.field}: {item.old_value or '(empty)'} → {item.new_value or '(empty)'}"
            ),
            "actor": _name(item.actor),
            "data": {
                "field": item.field,
                "old_value": item.old_value,
                "new_value": item.new_value,
                "source": item.source,
                "request_id": item.request_id,
                "import_job_id": item.import_job_id,
            },
        }
    # owner_change
    before = _name(item.from_owner) or "unassigned"
    after = _name(item.to_owner) or "unassigned"
    return {
        "summary": f"Owner {item.get_kind_display().lower()}: {before} → {after}",
        "actor": _name(item.changed_by),
        "data": {
            "kind": item.kind,
            "from_owner": item.from_owner_id,
            "to_owner": item.to_owner_id,
            "reason": item.reason,
        },
    }
