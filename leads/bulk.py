"""Bulk upsert of leads by email, set-based: the write path of `POST /api/v1/leads/bulk/`.

Semantics, as if the items were applied one after another, in order:
- an item whose (normalised) email is new creates a lead; one whose email exists updates
  that lead with the fields the item carries (fields it omits are left as they are);
- an email repeated within one request: its items merge in order (a later value wins), the
  first valid one reports `created` (or `updated`) and the later ones `updated`, all with
  the same lead id;
- an invalid item is reported with its errors and changes nothing; the others go ahead;
- `stage`, `owner` and `score` are never written here (their writers are funnel.services,
  sales and scoring); the caller reports items that send them as errors.

Cost: one SELECT of the existing rows (locked, so a concurrent edit is not lost), one
INSERT ... ON CONFLICT (email) DO UPDATE for every created and updated row (PostgreSQL: one
statement; SQLite splits it by its parameter limit), one query for the campaigns named, and
the webhook outbox's set-based insert: the same handful of queries for 1 or 1,000 items.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from leads.emails import normalize_email
from leads.models import Lead
from leads.selectors import lead_is_editable_by
from leads.services import EDITABLE_FIELDS, lead_initial_owner
from marketing.models import Campaign

MAX_ITEMS = 1000
NOT_YOURS = "A lead with this email address already exists and you may not change it."
UNKNOWN_CAMPAIGN = 'Invalid pk "{pk}" - object does not exist.'
# Columns an upsert may overwrite: the editable ones and what follows from them.
UPSERT_FIELDS = sorted(
    {name if name != "source_campaign" else "source_campaign_id" for name in EDITABLE_FIELDS}
    | {"marketing_consent_at", "updated_at"}
)


class Status:
    CREATED = "created"
    UPDATED = "updated"
    ERROR = "error"


STATUS_CHOICES = [(status, status.capitalize()) for status in ("created", "updated", "error")]


@dataclass
class ItemResult:
    index: int
    status: str
    id: int | None = None
    email: str | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)


def leads_upsert_bulk(
    *, items: Sequence[tuple[int, Mapping[str, Any]]], actor: AbstractBaseUser
) -> list[ItemResult]:
    """Upsert `items`, each (index, validated fields with a raw `email`) — fields limited
    to EDITABLE_FIELDS, `source_campaign` given as an id. Returns one result per item, in
    the order given. Writes nothing for items that fail."""
    if len(items) > MAX_ITEMS:
        raise ValidationError(f"At most {MAX_ITEMS} leads per request.")
    results: dict[int, ItemResult] = {}
    valid: list[tuple[int, str, dict[str, Any]]] = []
    for index, data in items:
        changes = dict(data)
        if not set(changes) <= EDITABLE_FIELDS:
            raise TypeError(f"Not writable in bulk: {sorted(set(changes) - EDITABLE_FIELDS)}")
        try:
            email = normalize_email(changes.pop("email", ""))
        except ValidationError as exc:
            results[index] = ItemResult(index, Status.ERROR, errors={"email": exc.messages})
            continue
        valid.append((index, email, changes))
    valid = _known_campaigns_only(valid, results)

    now = timezone.now()
    with transaction.atomic():
        existing = _existing_locked(emails={email for _, email, _ in valid})
        merged: dict[str, Lead] = {}
        status_of: dict[int, str] = {}
        index_email: dict[int, str] = {}
        for index, email, changes in valid:
            lead = merged.get(email)
            if lead is None:
                current = existing.get(email)
                if current is not None and not lead_is_editable_by(actor, lead=current):
                    results[index] = ItemResult(index, Status.ERROR, errors={"email": [NOT_YOURS]})
                    continue
                lead = current or _new_lead(email=email, actor=actor, now=now)
                merged[email] = lead
                status_of[index] = Status.UPDATED if current is not None else Status.CREATED
            else:
                status_of[index] = Status.UPDATED
            _apply(lead, changes, now=now)
            index_email[index] = email
        new_emails = {email for email in merged if email not in existing}
        # Rows without a primary key, so every one is an INSERT whose email conflict (the
        # existing ones) turns into the UPDATE; RETURNING gives each its id either way.
        rows = {email: _unsaved_copy(lead) for email, lead in merged.items()}
        if rows:
            Lead.objects.bulk_create(
                list(rows.values()),
                update_conflicts=True,
                unique_fields=["email"],
                update_fields=UPSERT_FIELDS,
            )
        created_ids = sorted(rows[email].pk for email in new_emails)
        if created_ids:
            from integrations import webhooks

            # `lead.created` events, in this transaction (the outbox is set-based too).
            webhooks.leads_created_record(lead_ids=created_ids)
    for index, email in index_email.items():
        results[index] = ItemResult(index, status_of[index], id=rows[email].pk, email=email)
    return [results[index] for index, _ in items]


def _known_campaigns_only(
    valid: list[tuple[int, str, dict[str, Any]]], results: dict[int, ItemResult]
) -> list[tuple[int, str, dict[str, Any]]]:
    # One query for every campaign named, instead of one per item.
    wanted = {changes.get("source_campaign") for _, _, changes in valid} - {None}
    if not wanted:
        return valid
    known = set(Campaign.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    kept = []
    for index, email, changes in valid:
        campaign_id = changes.get("source_campaign")
        if campaign_id is not None and campaign_id not in known:
            results[index] = ItemResult(
                index,
                Status.ERROR,
                errors={"source_campaign": [UNKNOWN_CAMPAIGN.format(pk=campaign_id)]},
            )
            continue
        kept.append((index, email, changes))
    return kept


def _existing_locked(*, emails: set[str]) -> dict[str, Lead]:
    if not emails:
        return {}
    # Locked in a fixed order, so two bulk requests touching the same leads queue rather
    # than deadlock, and an edit made meanwhile is not overwritten with stale values.
    rows = Lead.objects.filter(email__in=sorted(emails)).order_by("email").select_for_update()
    return {lead.email: lead for lead in rows}


def _new_lead(*, email: str, actor: AbstractBaseUser, now) -> Lead:
    return Lead(
        email=email,
        owner=lead_initial_owner(created_by=actor),
        created_at=now,
        updated_at=now,
    )


def _unsaved_copy(lead: Lead) -> Lead:
    return Lead(
        **{
            field.attname: getattr(lead, field.attname)
            for field in Lead._meta.concrete_fields
            if not field.primary_key
        }
    )


def _apply(lead: Lead, changes: Mapping[str, Any], *, now) -> None:
    for name, value in changes.items():
        if name == "source_campaign":
            lead.source_campaign_id = value
        elif name == "marketing_consent":
            if value != lead.marketing_consent:
                # When consent was given is what a regulator asks for; withdrawing clears it.
                lead.marketing_consent_at = now if value else None
            lead.marketing_consent = value
        else:
            setattr(lead, name, value)
    lead.updated_at = now
