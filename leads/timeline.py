"""The lead page's timeline: one list of dated entries, newest first, each rendered by its
own template.

Stage moves and the lead's creation are here today. Other areas (activities, deals) add
their entries in `lead_timeline_entries` with their own template (for example
`sales/timeline/_activity.html`); `templates/leads/_timeline.html` renders any entry.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from funnel.models import StageChange
from leads.models import Lead


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    template: str
    item: Any
    # Ties on `at` keep insertion order: later-recorded entries show above earlier ones.
    seq: int = 0


def lead_timeline_entries(*, lead: Lead, history: list[StageChange]) -> list[TimelineEntry]:
    entries = [
        TimelineEntry(
            at=lead.created_at, kind="created", template="leads/timeline/_created.html", item=lead
        )
    ]
    entries += [
        TimelineEntry(
            at=change.at,
            kind="stage_change",
            template="leads/timeline/_stage_change.html",
            item=change,
            seq=i + 1,
        )
        for i, change in enumerate(history)
    ]
    return sorted(entries, key=lambda entry: (entry.at, entry.seq), reverse=True)
