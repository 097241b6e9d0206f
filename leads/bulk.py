"""Bulk upsert of leads by email, set-based: the write path of `POST /api/v1/leads/bulk/`.

Semantics, per email (items of one email merge in order, a later value wins):
- a new email creates a lead with every field given (`created`); exactly one request
  creates it, however many race (`leads.upsert`);
- an existing email is merged with the one merge policy (`leads.merge_policy`): given
  fields are written (or, with `merge="fill_empty"`, only empty ones), a lead the caller
  may not edit is `refused` with the reason, and one whose values already match is
  `unchanged` (no write, no history, no event);
- items of an email repeated within one request report that email's outcome (the first
  item of a created email `created`, the later ones `updated`);
- an invalid item is reported with its errors and changes nothing; the others go ahead;
- `stage`, `owner` and `score` are never written here; the caller reports them as errors.

Cost, whatever the number of items: one INSERT ... ON CONFLICT DO NOTHING (SQLite splits it
by its parameter limit), one locking SELECT of the addresses that exist, one UPDATE of the
changed leads, one INSERT of their field history, one query for the campaigns named, and
the webhook outbox's set-based insert.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from funnel.deadlocks import deadlock_retried
from leads.emails import normalize_email
from leads.history import lead_changes_record
from leads.merge_policy import (
    MergeMode,
    MergePlan,
    Outcome,
    WriteOrigin,
    attname_of,
    lead_merge_apply,
    lead_merge_plan,
)
from leads.merging.aliases import emails_resolve
from leads.models import ChangeSource, Lead
from leads.services import EDITABLE_FIELDS, lead_initial_owner
from leads.upsert import InsertOrLock, leads_insert_or_lock
from marketing.models import Campaign

MAX_ITEMS = 1000
UNKNOWN_CAMPAIGN = 'Invalid pk "{pk}" - object does not exist.'
MERGE_MODES = (MergeMode.OVERWRITE, MergeMode.FILL_EMPTY)


class Status:
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REFUSED = "refused"
    ERROR = "error"
    ALL = ("created", "updated", "unchanged", "refused", "error")


STATUS_CHOICES = [(status, status.capitalize()) for status in Status.ALL]


@dataclass
class ItemResult:
    index: int
    status: str
    id: int | None = None
    email: str | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)


def leads_upsert_bulk(
    *,
    items: Sequence[tuple[int, Mapping[str, Any]]],
    actor: AbstractBaseUser,
    merge: MergeMode | str = MergeMode.OVERWRITE,
    request_id: str = "",
) -> list[ItemResult]:
    """Upsert `items`, each (index, validated fields with a raw `email`) — fields limited
    to EDITABLE_FIELDS, `source_campaign` given as an id. Returns one result per item, in
    the order given. Writes nothing for items that fail or are refused."""
    if len(items) > MAX_ITEMS:
        raise ValidationError(f"At most {MAX_ITEMS} leads per request.")
    if merge not in MERGE_MODES:
        raise ValidationError({"merge": f"Expected one of: {', '.join(MERGE_MODES)}."})
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
    # A merged-away address is its survivor's (leads.merging): one query for the batch.
    aliases = emails_resolve(emails=[email for _, email, _ in valid])
    if aliases:
        valid = [(index, aliases.get(email, email), changes) for index, email, changes in valid]

    # Items of one email merge in order: a later value wins.
    incoming: dict[str, dict[str, Any]] = {}
    for _, email, changes in valid:
        incoming.setdefault(email, {}).update(changes)
    origin = WriteOrigin(source=ChangeSource.BULK, actor=actor, request_id=request_id)
    now = timezone.now()
    owner = lead_initial_owner(created_by=actor)
    plans: dict[str, MergePlan] = {}

    def write() -> tuple[InsertOrLock, dict[str, Lead]]:
        plans.clear()  # a retried attempt plans afresh
        with transaction.atomic():
            new_rows = [
                _new_lead(email, values, owner=owner, now=now) for email, values in incoming.items()
            ]
            rows = leads_insert_or_lock(new_rows=new_rows)
            leads = {**rows.locked, **rows.created}
            changed: list[Lead] = []
            written: set[str] = set()
            for email, lead in rows.locked.items():
                plan = lead_merge_plan(
                    lead=lead, incoming=incoming[email], origin=origin, requested=merge
                )
                plans[email] = plan
                fields = lead_merge_apply(lead=lead, plan=plan, now=now)
                if fields:
                    changed.append(lead)
                    written.update(fields)
            if changed:
                Lead.objects.bulk_update(changed, fields=sorted(written))
                lead_changes_record(
                    changes=[(lead.pk, plans[lead.email].changes) for lead in changed],
                    origin=origin,
                    at=now,
                )
            if rows.created:
                from integrations import webhooks

                # `lead.created` only for the rows this transaction's INSERT created.
                webhooks.leads_created_record(lead_ids=[lead.pk for lead in rows.created.values()])
        return rows, leads

    rows, leads = deadlock_retried(write, what="bulk upsert")
    seen: set[str] = set()
    for index, email, _ in valid:
        lead = leads.get(email)
        if email in rows.created:
            status = Status.UPDATED if email in seen else Status.CREATED
        elif lead is None:
            # Deleted between the conflicting INSERT and the lock: nothing to merge into.
            results[index] = ItemResult(
                index,
                Status.ERROR,
                email=email,
                errors={"email": ["The lead was deleted meanwhile; retry."]},
            )
            continue
        else:
            status = plans[email].outcome.value
        seen.add(email)
        if status == Outcome.REFUSED:
            results[index] = ItemResult(
                index, Status.REFUSED, email=email, errors={"email": [plans[email].reason]}
            )
        else:
            results[index] = ItemResult(index, status, id=lead.pk, email=email)
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


def _new_lead(email: str, values: Mapping[str, Any], *, owner, now) -> Lead:
    lead = Lead(email=email, owner=owner, created_at=now, updated_at=now)
    for name, value in values.items():
        setattr(lead, attname_of(name), value)
    if lead.marketing_consent:
        lead.marketing_consent_at = now
    return lead
