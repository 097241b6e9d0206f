"""Undo a CSV import, for 30 days after it ran: `import_job_undo`.

- Leads it created that nobody changed since are deleted. "Changed" is anything that
  happened to the lead after the import, read from the rows that record it: a field change
  (every writer records one), a stage move of its own, a touch, an activity, a deal, an
  enrolment, an owner, a merge into it. Such a lead is kept and reported with the reasons.
- Fields it changed are restored from field history (the import's `LeadChange` rows),
  through the merge policy, unless that field changed again since or the lead is gone;
  each restore is itself recorded in field history.
- Stage moves it made are listed, not reversed (a stage only moves forward through the
  one writer, and a move back would be a new, false event in the funnel's history).

Everything runs in one transaction with the leads locked in id order; the job records
when, by whom, and the report of what could not be reverted and why.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from funnel.models import StageChange
from funnel.stages import Cause
from leads.history import lead_changes_record, value_as_text
from leads.merge_policy import MergeMode, WriteOrigin, lead_merge_apply, lead_merge_plan
from leads.models import ChangeSource, Lead, LeadChange, LeadMerge
from marketing.models import ImportJob, Touch

UNDO_DAYS = 30
CHUNK = 1000
# Examples kept per kind in the report; the counts are always complete.
EXAMPLES = 50


def import_job_may_undo(job: ImportJob, *, now: datetime) -> str:
    """Why the import cannot be undone now ("" if it can)."""
    if job.dry_run or job.status != ImportJob.Status.DONE:
        return "Only an import that wrote leads can be undone."
    if job.undone_at is not None:
        return "This import has already been undone."
    if job.finished_at is None or job.finished_at < now - timedelta(days=UNDO_DAYS):
        return f"An import can be undone for {UNDO_DAYS} days after it ran; this one is older."
    return ""


def import_job_undo(*, job: ImportJob, actor: AbstractBaseUser | None, now: datetime) -> dict:
    """Revert `job` as far as history allows; returns (and stores on the job) the report:
    counts, and examples of what could not be reverted, each with its reason. Raises
    ValidationError (nothing changed) if the import cannot be undone."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        refusal = import_job_may_undo(job, now=now)
        if refusal:
            raise ValidationError(refusal, code="undo_refused")
        origin = WriteOrigin(
            source=ChangeSource.IMPORT, actor=actor, request_id=f"undo of import {job.pk}"
        )
        report = {
            "restored": 0,
            "not_restored": 0,
            "not_restored_examples": [],
            "deleted": 0,
            "kept": 0,
            "kept_examples": [],
            "stage_moves": 0,
            "stage_move_examples": [],
        }
        _fields_restore(job=job, origin=origin, now=now, report=report)
        # Listed before the untouched leads go: theirs are among them.
        _stage_moves_list(job=job, report=report)
        _created_delete(job=job, report=report)
        job.undone_at, job.undo_report = now, report
        job.undone_by = actor if actor is not None and actor.is_authenticated else None
        job.save(update_fields=["undone_at", "undone_by", "undo_report", "updated_at"])
    return report


def _fields_restore(*, job: ImportJob, origin: WriteOrigin, now: datetime, report: dict) -> None:
    rows = LeadChange.objects.filter(import_job_id=job.pk).order_by("lead_id", "id")
    lead_ids = list(rows.values_list("lead_id", flat=True).distinct().order_by("lead_id"))
    for start in range(0, len(lead_ids), CHUNK):
        ids = lead_ids[start : start + CHUNK]
        changes = list(
            rows.filter(lead_id__in=ids).values("id", "lead_id", "field", "old_value", "new_value")
        )
        first_id = min(change["id"] for change in changes)
        later: dict[tuple[int, str], int] = {}
        for lead_id, field, change_id in (
            LeadChange.objects.filter(lead_id__in=ids, id__gt=first_id)
            .exclude(import_job_id=job.pk)
            .values_list("lead_id", "field", "id")
        ):
            key = (lead_id, field)
            later[key] = max(later.get(key, 0), change_id)
        leads = {
            lead.pk: lead
            for lead in Lead.objects.select_for_update().filter(pk__in=ids).order_by("pk")
        }
        incoming: dict[int, dict] = defaultdict(dict)
        for change in changes:
            lead = leads.get(change["lead_id"])
            field = change["field"]
            if lead is None:
                _note(report, "not_restored", change, "the lead was deleted or merged away")
            elif later.get((lead.pk, field), 0) > change["id"]:
                _note(report, "not_restored", change, "changed again since the import")
            elif value_as_text(getattr(lead, _attname(field))) != change["new_value"]:
                _note(report, "not_restored", change, "its value differs from the import's")
            else:
                incoming[lead.pk][field] = _typed(field, change["old_value"])
        changed, written, plans = [], set(), {}
        for lead_id, values in incoming.items():
            lead = leads[lead_id]
            plan = lead_merge_plan(
                lead=lead,
                incoming=values,
                origin=origin,
                field_modes=dict.fromkeys(values, MergeMode.OVERWRITE),
            )
            fields = lead_merge_apply(lead=lead, plan=plan, now=now)
            if fields:
                changed.append(lead)
                written.update(fields)
                plans[lead_id] = plan
                report["restored"] += len(plan.changes)
        if changed:
            Lead.objects.bulk_update(changed, fields=sorted(written))
            lead_changes_record(
                changes=[(lead.pk, plans[lead.pk].changes) for lead in changed],
                origin=origin,
                at=now,
            )


def _created_delete(*, job: ImportJob, report: dict) -> None:
    created = Lead.objects.filter(created_by_import_id=job.pk)
    import_moves = Q(cause=Cause.IMPORT, at__gte=job.started_at, at__lte=job.finished_at)
    import_touches = Q(kind=job.touch_kind, at__gte=job.started_at, at__lte=job.finished_at)
    of_lead = {"lead": OuterRef("pk")}
    from sales.models import Activity, Deal, Enrolment, OwnerChange

    reasons = {
        "has field changes": Exists(LeadChange.objects.filter(**of_lead)),
        "moved by someone else": Exists(
            StageChange.objects.filter(**of_lead).exclude(import_moves)
        ),
        "has touches": Exists(Touch.objects.filter(**of_lead).exclude(import_touches)),
        "has activities": Exists(Activity.objects.filter(**of_lead)),
        "has deals": Exists(Deal.objects.filter(**of_lead)),
        "enrolled in a sequence": Exists(Enrolment.objects.filter(**of_lead)),
        "has an owner": Q(owner__isnull=False) | Exists(OwnerChange.objects.filter(**of_lead)),
        "a duplicate was merged into it": Exists(LeadMerge.objects.filter(survivor=OuterRef("pk"))),
    }
    touched = Q()
    for condition in reasons.values():
        touched |= condition
    kept = created.filter(touched)
    report["kept"] = kept.count()
    for lead in kept.order_by("pk")[:EXAMPLES]:
        why = [reason for reason, q in reasons.items() if created.filter(q, pk=lead.pk).exists()]
        report["kept_examples"].append(
            {"lead_id": lead.pk, "email": lead.email, "reason": "; ".join(why)}
        )
    untouched = list(created.exclude(pk__in=kept.values("pk")).values_list("pk", flat=True))
    # The import's own touches and stage moves go with the lead (cascade). In chunks: the
    # delete collector holds each chunk's rows in memory, not a million of them at once.
    for start in range(0, len(untouched), CHUNK):
        Lead.objects.filter(pk__in=untouched[start : start + CHUNK]).delete()
    report["deleted"] = len(untouched)


def _stage_moves_list(*, job: ImportJob, report: dict) -> None:
    moves = StageChange.objects.filter(
        cause=Cause.IMPORT, at__gte=job.started_at, at__lte=job.finished_at
    )
    report["stage_moves"] = moves.count()
    for move in moves.select_related("lead").order_by("at", "id")[:EXAMPLES]:
        report["stage_move_examples"].append(
            {
                "lead_id": move.lead_id,
                "email": move.lead.email,
                "from": move.from_stage,
                "to": move.to_stage,
            }
        )


def _note(report: dict, kind: str, change: dict, reason: str) -> None:
    report[kind] += 1
    examples = report[f"{kind}_examples"]
    if len(examples) < EXAMPLES:
        examples.append(
            {
                "lead_id": change["lead_id"],
                "field": change["field"],
                "import_value": change["new_value"],
                "reason": reason,
            }
        )


def _attname(field: str) -> str:
    return Lead._meta.get_field(field).attname


def _typed(field: str, text: str | None):
    model_field = Lead._meta.get_field(field)
    if model_field.get_internal_type() == "BooleanField":
        return text == "true"
    if model_field.is_relation:
        return int(text) if text else None
    return text or ""
