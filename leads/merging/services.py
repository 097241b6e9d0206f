"""Merge two leads that are the same person: `leads_merge`.

One survivor. Every row that hangs off the merged-away lead (stage history, touches,
activities, deals, cadence enrolments, owner changes, field history, earlier merges and
aliases) moves to the survivor with one UPDATE per table; the survivor takes the values
the person chose per field through the one merge policy (field history, source
`merge`); the merged-away lead is deleted and a `LeadMerge` keeps who merged what, and
its address becomes an alias of the survivor. Metric rules: docs/architecture.md,
"Merging duplicates".
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from funnel.models import StageChange
from funnel.services import lead_history_absorb
from leads.history import lead_changes_record, value_as_text
from leads.merge_policy import MergeMode, WriteOrigin, lead_merge_apply, lead_merge_plan
from leads.models import ChangeSource, Lead, LeadEmailAlias, LeadMerge
from leads.selectors import lead_is_editable_by, leads_visible_to
from leads.services import EDITABLE_FIELD_ORDER

SURVIVOR, MERGED = "survivor", "merged"
# The fields a person picks between, in reading order.
MERGE_FIELDS = EDITABLE_FIELD_ORDER
SELF_MERGE = "A lead cannot be merged with itself: choose another lead."
NO_RIGHTS = "You may merge only leads you may change (both of them)."


def lead_may_merge(user: AbstractBaseUser, *, survivor: Lead, merged: Lead) -> bool:
    """Whoever may change both leads may merge them: managers and marketing (every lead),
    a sales rep two leads they own. Nothing is lost in a merge (every row moves, the
    merge is recorded), so it needs no more than editing both."""
    return lead_is_editable_by(user, lead=survivor) and lead_is_editable_by(user, lead=merged)


def leads_merge(
    *,
    survivor: Lead,
    merged: Lead,
    field_choices: Mapping[str, str],
    actor: AbstractBaseUser | None,
    now: datetime,
) -> LeadMerge:
    """Merge `merged` into `survivor`. `field_choices`: field -> "survivor" or "merged"
    (fields left out keep the survivor's value). Both rows are locked in id order and
    re-read, so the rights and values checked are the ones written over.

    Raises ValidationError (a lead with itself, an unknown field or choice),
    PermissionDenied (the actor may not change both), Lead.DoesNotExist (one of them was
    deleted meanwhile); nothing is written then."""
    if survivor.pk == merged.pk:
        raise ValidationError({"merged": SELF_MERGE}, code="self_merge")
    unknown = set(field_choices) - set(MERGE_FIELDS)
    if unknown:
        raise ValidationError({"field_choices": f"Unknown fields: {', '.join(sorted(unknown))}."})
    bad = {name for name, side in field_choices.items() if side not in (SURVIVOR, MERGED)}
    if bad:
        raise ValidationError(
            {"field_choices": f'Choose "survivor" or "merged" for: {", ".join(sorted(bad))}.'}
        )
    with transaction.atomic():
        locked = {
            lead.pk: lead
            for lead in Lead.objects.select_for_update()
            .filter(pk__in=[survivor.pk, merged.pk])
            # The same order in every merge: two merges of the same pair cannot deadlock.
            .order_by("pk")
        }
        if len(locked) < 2:
            raise Lead.DoesNotExist("One of the leads no longer exists.")
        survivor, merged = locked[survivor.pk], locked[merged.pk]
        if actor is not None and not lead_may_merge(actor, survivor=survivor, merged=merged):
            raise PermissionDenied(NO_RIGHTS)
        snapshot = _values(merged)
        incoming = {
            name: getattr(merged, Lead._meta.get_field(name).attname)
            for name, side in field_choices.items()
            if side == MERGED
        }
        moved = _rows_move(survivor=survivor, merged=merged, now=now)
        moved["stage_changes"] = lead_history_absorb(survivor=survivor, merged=merged)
        Lead.objects.filter(pk=merged.pk).delete()
        old_email = survivor.email
        _fields_take(survivor=survivor, incoming=incoming, actor=actor, now=now)
        record = LeadMerge.objects.create(
            survivor=survivor,
            merged_lead_id=merged.pk,
            merged_email=merged.email,
            merged_created_at=merged.created_at,
            merged_values=snapshot,
            chosen={name: field_choices.get(name, SURVIVOR) for name in MERGE_FIELDS},
            moved=moved,
            actor=actor if actor is not None and actor.is_authenticated else None,
            at=now,
        )
        _aliases_point(survivor=survivor, record=record, emails={merged.email, old_email})
    return record


def _values(lead: Lead) -> dict:
    names = [*MERGE_FIELDS, "owner", "stage", "score", "created_at"]
    return {
        name: value_as_text(getattr(lead, Lead._meta.get_field(name).attname)) for name in names
    }


def _rows_move(*, survivor: Lead, merged: Lead, now: datetime) -> dict[str, int]:
    """Every table with a foreign key to Lead, one UPDATE each (stage history excepted:
    that is the kernel's, `lead_history_absorb`). Found from the model graph, so a table
    added later moves too."""
    from sales.models import Enrolment

    # A lead runs a sequence once at a time: the merged lead's run of a sequence the
    # survivor is also running stops (the survivor's goes on).
    Enrolment.objects.filter(
        lead=merged,
        status=Enrolment.Status.ACTIVE,
        sequence__in=Enrolment.objects.filter(lead=survivor, status=Enrolment.Status.ACTIVE).values(
            "sequence"
        ),
    ).update(
        status=Enrolment.Status.STOPPED,
        ended_at=now,
        stop_reason=f"Merged into lead {survivor.pk}, which runs this sequence.",
        next_due_at=None,
    )
    moved = {}
    for relation in Lead._meta.related_objects:
        if not relation.one_to_many or relation.related_model is StageChange:
            continue
        model, name = relation.related_model, relation.field.name
        count = model._base_manager.filter(**{name: merged.pk}).update(**{name: survivor.pk})
        moved[model._meta.model_name] = count
    return moved


def _fields_take(*, survivor: Lead, incoming: dict, actor, now: datetime) -> None:
    origin = WriteOrigin(source=ChangeSource.MERGE, actor=actor)
    plan = lead_merge_plan(
        lead=survivor, incoming=incoming, origin=origin, requested=MergeMode.OVERWRITE
    )
    written = lead_merge_apply(lead=survivor, plan=plan, now=now)
    if written:
        survivor.save(update_fields=written)
        lead_changes_record(changes=[(survivor.pk, plan.changes)], origin=origin, at=now)


def _aliases_point(*, survivor: Lead, record: LeadMerge, emails: set[str]) -> None:
    """The addresses the survivor does not have (any more) reach it from now on; its own
    address is never an alias."""
    for email in sorted(emails - {survivor.email}):
        LeadEmailAlias.objects.update_or_create(
            email=email, defaults={"lead": survivor, "merge": record}
        )
    LeadEmailAlias.objects.filter(email=survivor.email).delete()


def merge_candidates(user: AbstractBaseUser, *, lead: Lead, search: str, limit: int = 10):
    """Leads `user` may merge with `lead`, matching `search` (email or name)."""
    from leads.filters import LeadFilter

    others = leads_visible_to(user).exclude(pk=lead.pk)
    return LeadFilter({"search": search}, queryset=others).qs.order_by("email")[:limit]
