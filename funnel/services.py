"""The one writer of `Lead.stage`.

Every stage move in Funnel goes through `lead_transition` (one lead, row lock) or
`leads_move_bulk` (many leads, set-based, for tasks). Both check the move against
`funnel.stages`, write exactly one `StageChange` per real move in the same transaction
as the lead, keep the derived milestone columns in step, and hand the committed moves to
`funnel.followups`.
"""

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from funnel import followups
from funnel.models import StageChange
from funnel.roles import is_manager
from funnel.stages import Cause, Stage, check_move, is_restricted, parse_stage, sources_of
from leads.models import Lead

# First arrival in each stage, denormalised on the lead for the funnel metrics (a move
# into `lead` is always a return: every lead starts there).
MILESTONE_FIELDS = {
    Stage.PROSPECT: "became_prospect_at",
    Stage.CUSTOMER: "became_customer_at",
    Stage.DISQUALIFIED: "became_disqualified_at",
    Stage.LOST: "became_lost_at",
    Stage.LEAD: "returned_to_lead_at",
}


def lead_transition(
    *,
    lead_id: int,
    to_stage: str,
    cause: Cause,
    actor: AbstractBaseUser | None = None,
    reason: str = "",
    at: datetime | None = None,
) -> Lead:
    """Move one lead. A move to its current stage does nothing; a move the graph forbids
    raises `IllegalTransition` and writes nothing. A restricted move (a customer back to
    prospect) needs a manager as `actor` (else `MoveNeedsManager`) and a reason.
    Returns the lead as saved."""
    target = parse_stage(to_stage)
    manager = actor is not None and is_manager(actor)
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead_id)
        if lead.stage == target:
            return lead
        check_move(lead.stage, target, manager=manager)
        if is_restricted(lead.stage, target) and not reason.strip():
            raise ValidationError(
                {"reason": "Say why: this move undoes a recorded outcome and stays in history."}
            )
        when = at or timezone.now()
        change = StageChange.objects.create(
            lead=lead,
            from_stage=lead.stage,
            to_stage=target,
            at=when,
            from_stage_entered_at=lead.stage_changed_at or lead.created_at,
            actor=actor if actor is not None and actor.is_authenticated else None,
            cause=Cause(cause),
            reason=reason[:500],
        )
        lead.stage = target
        lead.stage_changed_at = when
        changed = ["stage", "stage_changed_at", "updated_at"]
        milestone = MILESTONE_FIELDS.get(target)
        if milestone and getattr(lead, milestone) is None:
            setattr(lead, milestone, when)
            changed.append(milestone)
        lead.save(update_fields=changed)
        followups.moves_recorded(changes=[change])
    return lead


def leads_move_bulk(
    *,
    candidates: QuerySet[Lead],
    to_stage: str,
    cause: Cause,
    actor: AbstractBaseUser | None = None,
    reason: str = "",
    batch_size: int | None = None,
) -> list[int]:
    """Move every lead of `candidates` that may legally enter `to_stage`, set-based.

    Each batch is one transaction of three statements whatever its size: lock the
    eligible rows (skipping rows another worker holds: it is moving them), copy them into
    history with INSERT ... SELECT, update them. Leads already in `to_stage`, or whose
    stage cannot move there, are left alone. Returns the ids moved.
    """
    target = parse_stage(to_stage)
    batch_size = batch_size or settings.FUNNEL_BULK_MOVE_BATCH
    eligible = candidates.filter(stage__in=sorted(sources_of(target))).order_by("pk")
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    moved: list[int] = []
    while True:
        with transaction.atomic():
            ids = list(
                eligible.select_for_update(skip_locked=True).values_list("pk", flat=True)[
                    :batch_size
                ]
            )
            if not ids:
                break
            when = timezone.now()
            _history_insert_select(
                lead_ids=ids,
                to_stage=target,
                at=when,
                actor_id=actor_id,
                cause=cause,
                reason=reason[:500],
            )
            _leads_update_stage(lead_ids=ids, to_stage=target, at=when)
            followups.moves_recorded_bulk(lead_ids=ids, to_stage=target, at=when)
        moved.extend(ids)
        if len(ids) < batch_size:
            break
    return moved


def _history_insert_select(
    *,
    lead_ids: list[int],
    to_stage: Stage,
    at: datetime,
    actor_id: int | None,
    cause: Cause,
    reason: str,
) -> None:
    # One statement for N rows; the ORM's bulk_create would split into many on SQLite.
    history, lead = StageChange._meta, Lead._meta
    qn = connection.ops.quote_name
    placeholders = ", ".join(["%s"] * len(lead_ids))
    sql = (
        f"INSERT INTO {qn(history.db_table)} "
        "(lead_id, from_stage, to_stage, at, from_stage_entered_at, actor_id, cause, reason) "
        f"SELECT id, stage, %s, %s, COALESCE(stage_changed_at, created_at), %s, %s, %s "
        f"FROM {qn(lead.db_table)} WHERE id IN ({placeholders})"
    )
    params = [
        to_stage.value,
        connection.ops.adapt_datetimefield_value(at),
        actor_id,
        Cause(cause).value,
        reason,
        *lead_ids,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _leads_update_stage(*, lead_ids: Iterable[int], to_stage: Stage, at: datetime) -> None:
    values = {"stage": to_stage.value, "stage_changed_at": at, "updated_at": at}
    milestone = MILESTONE_FIELDS.get(to_stage)
    if milestone:
        values[milestone] = Coalesce(F(milestone), Value(at))
    Lead.objects.filter(pk__in=list(lead_ids)).update(**values)


def lead_history_absorb(*, survivor: Lead, merged: Lead) -> int:
    """A merge of duplicates (leads.merging): the merged-away lead's stage history moves to
    `survivor`, each row marked `merged_from` (its own chain; rows it had absorbed keep
    theirs), and the survivor's first-reached milestones become the earlier of the two, as
    history now says. The survivor's stage, `stage_changed_at` and `created_at` are its
    own chain's and do not change: a merge is not a move. Both rows must be locked by the
    caller; `survivor` is saved. Returns how many moves came over.

    The UPDATE goes through the table's triggers like any write, so the metric rollups
    note the moved rows' days (funnel migration 0005) and the milestone change."""
    moved = StageChange.objects.filter(lead_id=merged.pk).update(
        lead_id=survivor.pk, merged_from=Coalesce(F("merged_from"), Value(merged.pk))
    )
    changed = []
    for milestone in MILESTONE_FIELDS.values():
        theirs, ours = getattr(merged, milestone), getattr(survivor, milestone)
        if theirs is not None and (ours is None or theirs < ours):
            setattr(survivor, milestone, theirs)
            changed.append(milestone)
    if changed:
        survivor.save(update_fields=changed)
    return moved
