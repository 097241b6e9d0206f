"""Bulk actions on a list: assign an owner, move stage, enrol in a cadence, delete.

Every action goes through the one writer of what it changes (`sales.services.lead_reassign`
for owners, `funnel.services.leads_move_bulk` for stages, `sales.services.leads_enrol`,
`leads.services.lead_delete`), on the leads the user may edit; the rest of the selection
is reported lead by lead, never silently skipped. A `BulkAction` row records the request
and its progress: small selections run in the request, large ones in a task, the same code.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from funnel.errors import Conflict
from funnel.roles import is_manager
from funnel.services import leads_move_bulk
from funnel.stages import Cause, Stage, sources_of
from leads.merge_policy import WriteOrigin
from leads.models import ChangeSource, Lead
from leads.selectors import leads_editable_by
from leads.services import lead_delete
from lists.models import BulkAction
from lists.selection import selection_visible
from sales import services as sales_services
from sales.selectors import sequences_visible_to

# Leads handled per transaction; also the largest selection run inside the request.
CHUNK_SIZE = 200
# Refusals kept lead by lead; beyond this only the count grows.
REPORT_LIMIT = 500
# Actions that change or erase records beyond the lead's own work: managers only.
MANAGER_ACTIONS = {BulkAction.Action.ASSIGN, BulkAction.Action.DELETE}


@dataclass
class ChunkOutcome:
    succeeded: int = 0
    unchanged: int = 0
    refusals: list[tuple[Lead, str]] = field(default_factory=list)


def bulk_action_create(
    *,
    user: AbstractBaseUser,
    list_kind: str,
    action: str,
    params: dict,
    query: str,
    lead_ids: list[int] | None,
) -> BulkAction:
    """Record a bulk action and run it: at once for up to `FUNNEL_BULK_SYNC_LIMIT` leads,
    else in a task queued on commit. Raises PermissionDenied for a role that may not do it,
    ValidationError for parameters that cannot work (a non-rep owner, an unknown cadence)."""
    action = BulkAction.Action(action)
    if action in MANAGER_ACTIONS and not is_manager(user):
        raise PermissionDenied(f"Only managers may {action.label.lower()} in bulk.")
    params = _params_clean(user=user, action=action, params=params)
    with transaction.atomic():
        total = selection_visible(
            user=user, list_kind=list_kind, query=query, lead_ids=lead_ids
        ).count()
        bulk = BulkAction.objects.create(
            user=user,
            list_kind=list_kind,
            action=action,
            params=params,
            query=query,
            lead_ids=lead_ids,
            total=total,
        )
        if total > settings.FUNNEL_BULK_SYNC_LIMIT:
            from lists import tasks

            tasks.bulk_action_run.delay_on_commit(bulk.pk)
            return bulk
    return bulk_action_run(bulk_action_id=bulk.pk)


def _params_clean(*, user: AbstractBaseUser, action: BulkAction.Action, params: dict) -> dict:
    if action == BulkAction.Action.ASSIGN:
        owner_id = params.get("owner")
        if owner_id is not None and not sales_services.active_sales_reps().filter(pk=owner_id):
            raise ValidationError({"owner": "Leads can only be given to an active sales rep."})
        return {"owner": owner_id, "reason": params.get("reason", "")[:500]}
    if action == BulkAction.Action.MOVE:
        try:
            to_stage = Stage(params.get("to_stage"))
        except ValueError:
            raise ValidationError({"to_stage": "Choose a stage."}) from None
        return {"to_stage": to_stage.value, "reason": params.get("reason", "")[:500]}
    if action == BulkAction.Action.ENROL:
        sequence = sequences_visible_to(user).filter(pk=params.get("sequence"), is_active=True)
        if not sequence.exists():
            raise ValidationError({"sequence": "Choose an active cadence."})
        return {"sequence": int(params["sequence"])}
    return {}


def bulk_action_run(*, bulk_action_id: int) -> BulkAction:
    """Work through the selection in chunks, each in one transaction with its progress.

    Safe to run twice, even at once: each chunk locks the row and starts after the last
    lead done (`last_lead_id`), so a redelivered task resumes where the other stopped.
    """
    started = BulkAction.objects.filter(
        pk=bulk_action_id, status__in=[BulkAction.Status.QUEUED, BulkAction.Status.RUNNING]
    ).update(status=BulkAction.Status.RUNNING)
    try:
        if started:
            _chunks_run(bulk_action_id)
    except Exception as exc:
        # A bug, not a refusal: say so on the page instead of polling forever. The chunks
        # done so far stay done (each was its own transaction).
        BulkAction.objects.filter(pk=bulk_action_id).update(
            status=BulkAction.Status.FAILED, error=str(exc)[:500], finished_at=timezone.now()
        )
        raise
    return BulkAction.objects.get(pk=bulk_action_id)


def _chunks_run(bulk_action_id: int) -> None:
    while True:
        with transaction.atomic():
            bulk = (
                BulkAction.objects.select_for_update().select_related("user").get(pk=bulk_action_id)
            )
            if bulk.is_finished:
                break
            chunk = list(
                selection_visible(
                    user=bulk.user,
                    list_kind=bulk.list_kind,
                    query=bulk.query,
                    lead_ids=bulk.lead_ids,
                )
                .filter(pk__gt=bulk.last_lead_id)
                .order_by("pk")
                .only("pk", "first_name", "last_name", "email", "stage", "owner_id")[:CHUNK_SIZE]
            )
            if not chunk:
                bulk.status = BulkAction.Status.DONE
                bulk.finished_at = timezone.now()
                bulk.save(update_fields=["status", "finished_at"])
                break
            try:
                outcome = _chunk_run(bulk, chunk)
            except Conflict as exc:
                # The whole chunk was refused by the writer (a cadence turned inactive).
                outcome = ChunkOutcome(refusals=[(lead, exc.message) for lead in chunk])
            _progress_record(bulk, chunk=chunk, outcome=outcome)


def _progress_record(bulk: BulkAction, *, chunk: list[Lead], outcome: ChunkOutcome) -> None:
    bulk.processed += len(chunk)
    bulk.succeeded += outcome.succeeded
    bulk.unchanged += outcome.unchanged
    bulk.refused += len(outcome.refusals)
    room = max(0, REPORT_LIMIT - len(bulk.report))
    bulk.report = bulk.report + [
        {"id": lead.pk, "name": lead.full_name or lead.email, "why": why}
        for lead, why in outcome.refusals[:room]
    ]
    # The count can grow while it runs (new leads match "all"): never show more than 100%.
    bulk.total = max(bulk.total, bulk.processed)
    bulk.last_lead_id = chunk[-1].pk
    bulk.save(
        update_fields=[
            "processed",
            "succeeded",
            "unchanged",
            "refused",
            "report",
            "total",
            "last_lead_id",
        ]
    )


def _chunk_run(bulk: BulkAction, chunk: list[Lead]) -> ChunkOutcome:
    editable_ids = set(
        leads_editable_by(
            bulk.user, queryset=Lead.objects.filter(pk__in=[x.pk for x in chunk])
        ).values_list("pk", flat=True)
    )
    outcome = ChunkOutcome()
    editable = []
    for lead in chunk:
        if lead.pk in editable_ids:
            editable.append(lead)
        else:
            outcome.refusals.append((lead, "You may see this lead but not change it."))
    if editable:
        ACTIONS[bulk.action](bulk, editable, outcome)
    return outcome


def _assign(bulk: BulkAction, leads: list[Lead], outcome: ChunkOutcome) -> None:
    owner_id = bulk.params.get("owner")
    owner = get_user_model().objects.get(pk=owner_id) if owner_id is not None else None
    origin = WriteOrigin(source=ChangeSource.WEB, actor=bulk.user, request_id=f"bulk-{bulk.pk}")
    for lead in leads:
        if lead.owner_id == owner_id:
            outcome.unchanged += 1
            continue
        sales_services.lead_reassign(
            lead_id=lead.pk,
            to_owner=owner,
            actor=bulk.user,
            reason=bulk.params.get("reason", ""),
            origin=origin,
        )
        outcome.succeeded += 1


def _move(bulk: BulkAction, leads: list[Lead], outcome: ChunkOutcome) -> None:
    target = Stage(bulk.params["to_stage"])
    sources = sources_of(target)
    eligible = []
    for lead in leads:
        if lead.stage == target:
            outcome.unchanged += 1
        elif lead.stage in sources:
            eligible.append(lead)
        else:
            outcome.refusals.append(
                (
                    lead,
                    f"A {Stage(lead.stage).label.lower()} cannot move to {target.label.lower()}.",
                )
            )
    if not eligible:
        return
    moved = set(
        leads_move_bulk(
            candidates=Lead.objects.filter(pk__in=[lead.pk for lead in eligible]),
            to_stage=target,
            cause=Cause.MANUAL,
            actor=bulk.user,
            reason=bulk.params.get("reason", ""),
        )
    )
    outcome.succeeded += len(moved)
    for lead in eligible:
        if lead.pk not in moved:
            # Another worker held it, or it moved since the chunk was read.
            outcome.refusals.append((lead, "It was being changed elsewhere; try again."))


def _enrol(bulk: BulkAction, leads: list[Lead], outcome: ChunkOutcome) -> None:
    prospects = []
    for lead in leads:
        if lead.stage == Stage.PROSPECT:
            prospects.append(lead)
        else:
            outcome.refusals.append(
                (lead, f"Only prospects can be enrolled; this is a {lead.get_stage_display()}.")
            )
    if prospects:
        created, already = sales_services.leads_enrol(
            sequence_id=bulk.params["sequence"],
            lead_ids=[lead.pk for lead in prospects],
            actor=bulk.user,
        )
        outcome.succeeded += len(created)
        outcome.unchanged += len(already)


def _delete(bulk: BulkAction, leads: list[Lead], outcome: ChunkOutcome) -> None:
    for lead in leads:
        try:
            # A savepoint each: one lead in use must not undo the others.
            with transaction.atomic():
                lead_delete(lead=Lead.objects.get(pk=lead.pk))
        except ValidationError as exc:
            outcome.refusals.append((lead, " ".join(exc.messages)))
        else:
            outcome.succeeded += 1


ACTIONS = {
    BulkAction.Action.ASSIGN: _assign,
    BulkAction.Action.MOVE: _move,
    BulkAction.Action.ENROL: _enrol,
    BulkAction.Action.DELETE: _delete,
}
