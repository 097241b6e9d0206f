"""Field history: writing `LeadChange` rows (set-based) and reading a lead's changes.

Every writer records what the merge policy made it change, in the same transaction as
the change itself, with one INSERT per batch whatever the number of leads. The CSV import
writes the same rows with INSERT ... SELECT (`marketing.imports.merge`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from leads.merge_policy import WriteOrigin
from leads.models import Lead, LeadChange

# Changes per INSERT: large enough to be one statement for a bulk request of 1,000 leads
# with a few fields each, small enough to bound one statement's parameters.
BATCH_SIZE = 5000


def value_as_text(value: Any) -> str | None:
    """How a value is kept in history: null stays null, booleans "true"/"false"."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def field_name_of(attname: str) -> str:
    # History names fields as the API does: `source_campaign`, not `source_campaign_id`.
    return attname[: -len("_id")] if attname == "source_campaign_id" else attname


def lead_changes_record(
    *,
    changes: Iterable[tuple[int, dict[str, tuple[Any, Any]]]],
    origin: WriteOrigin,
    at: datetime,
) -> int:
    """Record, for each (lead id, {attname: (old, new)}), one row per changed field.
    Columns that only follow from another (consent time, `updated_at`) are not fields."""
    rows = [
        LeadChange(
            lead_id=lead_id,
            field=field_name_of(attname),
            old_value=value_as_text(old),
            new_value=value_as_text(new),
            at=at,
            actor_id=origin.actor_id,
            source=origin.source,
            request_id=origin.request_id[:64],
            import_job_id=origin.import_job_id,
        )
        for lead_id, fields in changes
        for attname, (old, new) in fields.items()
        if attname not in ("marketing_consent_at", "updated_at")
    ]
    if rows:
        LeadChange.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    return len(rows)


def lead_changes(*, lead: Lead) -> QuerySet[LeadChange]:
    """A lead's field history, newest first, with who made each change (one query)."""
    return LeadChange.objects.filter(lead=lead).select_related("actor").order_by("-at", "-id")


def request_id_of(request) -> str:
    """The id history records for an API request: the caller's `X-Request-ID`, else its
    `Idempotency-Key` (a retry is the same request), else a new one."""
    for header in ("X-Request-ID", "Idempotency-Key"):
        value = (request.headers.get(header) or "").strip()
        if value:
            return value[:64]
    return uuid.uuid4().hex
