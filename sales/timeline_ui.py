"""The lead page's timeline, paginated: `sales.selectors.lead_timeline` entries, each with
the template that draws it (the lead page's `leads/_timeline.html` renders any entry)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from leads.models import Lead
from sales.selectors import lead_timeline

PAGE_SIZE = 20
TEMPLATES = {
    "stage_change": "leads/timeline/_stage_change.html",
    "touch": "sales/timeline/_touch.html",
    "activity": "sales/timeline/_activity.html",
    "deal_opened": "sales/timeline/_deal.html",
    "deal_won": "sales/timeline/_deal.html",
    "deal_lost": "sales/timeline/_deal.html",
    "owner_change": "sales/timeline/_owner_change.html",
    "field_change": "leads/timeline/_field_change.html",
    "created": "leads/timeline/_created.html",
}


@dataclass(frozen=True)
class PageEntry:
    at: datetime
    kind: str
    template: str
    item: Any


def lead_timeline_context(
    *, user: AbstractBaseUser, lead: Lead, cursor: str | None = None, page_size: int = PAGE_SIZE
) -> dict[str, Any]:
    """`timeline` (this page's entries) and `timeline_next` (cursor of the next, older
    page, or None). The lead's creation closes the last page."""
    page = lead_timeline(user=user, lead=lead, cursor=cursor, page_size=page_size)
    entries = [PageEntry(e.at, e.kind, TEMPLATES[e.kind], e.item) for e in page.entries]
    if page.next_cursor is None:
        entries.append(PageEntry(lead.created_at, "created", TEMPLATES["created"], lead))
    return {"timeline": entries, "timeline_next": page.next_cursor}
