"""THE merge policy: how incoming values meet an existing lead, for every writer.

API create/update, bulk upsert, public capture, CSV import, the web form and merges all
ask this module what to write; none decides on its own. The rules (docs/architecture.md,
"Merge policy for incoming data"):

- a person (web) or an API caller with write rights over the lead: given fields are
  written (`overwrite`); an API caller may ask for `fill_empty` instead;
- an API / bulk caller without write rights over the lead is refused, per lead;
- anonymous capture never overwrites a non-empty value, it only fills empty ones;
- CSV import: per column `overwrite`, `fill_empty` or `skip`; a column left on `auto`
  overwrites leads that are unowned or the importer's own and fills empty fields of
  leads someone else owns;
- a value equal to the stored one is no change: a lead with no change is `unchanged`
  (no write, no history, no event).

Pure Python over a lead in hand: the callers lock the rows (or, for the import, apply the
same rules in SQL: `marketing.imports.merge` mirrors `fill_empty`/`overwrite`/`auto`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from leads.models import ChangeSource, Lead
from leads.selectors import lead_is_editable_by

NOT_YOURS = "A lead with this email address already exists and you may not change it."


class MergeMode(StrEnum):
    OVERWRITE = "overwrite"  # a given value replaces the stored one
    FILL_EMPTY = "fill_empty"  # a given value is written only where the lead has none
    SKIP = "skip"  # the value is ignored
    AUTO = "auto"  # import only: overwrite own/unowned leads, fill others' empty fields


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


@dataclass(frozen=True)
class WriteOrigin:
    """Who writes, from where, and which request or import it belongs to (history)."""

    source: ChangeSource
    actor: AbstractBaseUser | None = None
    request_id: str = ""
    import_job_id: int | None = None

    @property
    def actor_id(self) -> int | None:
        actor = self.actor
        return actor.pk if actor is not None and actor.is_authenticated else None


@dataclass
class MergePlan:
    """What the policy decided for one lead: the changed fields (attname -> (old, new))."""

    outcome: Outcome
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    reason: str = ""


def attname_of(name: str) -> str:
    """`source_campaign` -> `source_campaign_id`; other fields are their own attname."""
    return Lead._meta.get_field(name).attname


def raw_value(value: Any) -> Any:
    # Related objects compare and are stored by id.
    return value.pk if hasattr(value, "_meta") else value


def is_empty(value: Any) -> bool:
    """Empty for the policy: blank text, null, or consent not given."""
    return value is None or value == "" or value is False


def merge_mode_for(
    *,
    origin: WriteOrigin,
    lead: Lead,
    requested: MergeMode | str | None = None,
) -> MergeMode | None:
    """The mode every given field of `lead` is merged with; None = refused (the caller
    may not edit this lead). `requested` is the caller's own choice, where the source
    allows one (API/bulk `merge: "fill_empty"`)."""
    source = ChangeSource(origin.source)
    if source == ChangeSource.CAPTURE:
        return MergeMode.FILL_EMPTY
    if source == ChangeSource.MERGE:
        return MergeMode(requested or MergeMode.OVERWRITE)
    if origin.actor is None:
        # No caller: a trusted internal write (a task, the shell). An import whose
        # importer is gone only fills blanks.
        if source == ChangeSource.IMPORT:
            return MergeMode.FILL_EMPTY
        return MergeMode(requested or MergeMode.OVERWRITE)
    if not lead_is_editable_by(origin.actor, lead=lead):
        if source == ChangeSource.IMPORT:
            # Importers are marketers (who may edit every lead); anyone else fills blanks.
            return MergeMode.FILL_EMPTY
        return None
    if requested in (MergeMode.FILL_EMPTY, MergeMode.SKIP):
        return MergeMode(requested)
    if source == ChangeSource.IMPORT and requested in (None, MergeMode.AUTO):
        owner_id = lead.owner_id
        others = owner_id is not None and owner_id != origin.actor_id
        return MergeMode.FILL_EMPTY if others else MergeMode.OVERWRITE
    return MergeMode.OVERWRITE


def field_should_write(*, mode: MergeMode, current: Any, incoming: Any) -> bool:
    """Whether `incoming` replaces `current` under `mode` (equal values never do)."""
    if incoming == current or mode == MergeMode.SKIP:
        return False
    if mode == MergeMode.FILL_EMPTY:
        return is_empty(current) and not is_empty(incoming)
    return True


def lead_merge_plan(
    *,
    lead: Lead,
    incoming: Mapping[str, Any],
    origin: WriteOrigin,
    requested: MergeMode | str | None = None,
    field_modes: Mapping[str, MergeMode | str] | None = None,
) -> MergePlan:
    """Decide, for an existing `lead`, which of `incoming` (field name -> value, names
    as in `leads.services.EDITABLE_FIELDS`) to write. `field_modes` (import columns)
    overrides the mode per field. Changes nothing; apply with `lead_merge_apply`."""
    mode = merge_mode_for(origin=origin, lead=lead, requested=requested)
    if mode is None:
        return MergePlan(Outcome.REFUSED, reason=NOT_YOURS)
    changes: dict[str, tuple[Any, Any]] = {}
    for name, value in incoming.items():
        attname = attname_of(name)
        field_mode = mode
        if field_modes and name in field_modes:
            chosen = MergeMode(field_modes[name])
            field_mode = mode if chosen == MergeMode.AUTO else chosen
        current = getattr(lead, attname)
        new = raw_value(value)
        if field_should_write(mode=field_mode, current=current, incoming=new):
            changes[attname] = (current, new)
    return MergePlan(Outcome.UPDATED if changes else Outcome.UNCHANGED, changes)


def lead_merge_apply(*, lead: Lead, plan: MergePlan, now: datetime) -> list[str]:
    """Set the plan's values on `lead` (unsaved); returns the attnames to save, with the
    columns that follow from them (consent time, `updated_at`). Empty when nothing changes."""
    if not plan.changes:
        return []
    for attname, (_, new) in plan.changes.items():
        setattr(lead, attname, new)
    written = list(plan.changes)
    if "marketing_consent" in plan.changes:
        # When consent was given is what a regulator asks for; withdrawing clears it.
        lead.marketing_consent_at = now if lead.marketing_consent else None
        written.append("marketing_consent_at")
    lead.updated_at = now
    return [*written, "updated_at"]


def plan_fields(plans: Iterable[MergePlan]) -> dict[str, int]:
    """Changed-field counts over many plans (dry runs, summaries)."""
    counts: dict[str, int] = {}
    for plan in plans:
        for attname in plan.changes:
            counts[attname] = counts.get(attname, 0) + 1
    return counts
