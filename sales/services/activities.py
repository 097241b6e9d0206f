"""Activities (calls, emails, meetings, notes, tasks) and the lead's `last_activity_at`.

`Lead.last_activity_at` is the latest moment of sales work on the lead: an activity done
or a deal opened or closed. It is derived: the services that record such work raise it in
the same transaction, and `leads_last_activity_rebuild` recomputes it from the rows.
"""

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from funnel.roles import MANAGERS, SALES
from leads.models import Lead
from sales.models import Activity, Deal

MAX_BODY = 10_000
# Clocks differ a little between a browser and the server; beyond this, "done" is a typo.
FUTURE_TOLERANCE = timedelta(minutes=5)
# Kinds that record something that happened when logged without a due time.
LOGGED_KINDS = {Activity.Kind.CALL, Activity.Kind.EMAIL, Activity.Kind.MEETING, Activity.Kind.NOTE}


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


def users_who_may_own():
    """Users who can own sales work: active sales reps and managers."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name__in=[SALES, MANAGERS]) | Q(is_superuser=True))
        .distinct()
    )


def lead_activity_seen(*, lead_id: int, at: datetime) -> None:
    """Raise the lead's `last_activity_at` to `at` (never lowers it)."""
    Lead.objects.filter(pk=lead_id).filter(
        Q(last_activity_at__isnull=True) | Q(last_activity_at__lt=at)
    ).update(last_activity_at=at)


def leads_last_activity_rebuild(*, lead_ids: list[int]) -> None:
    """Recompute `last_activity_at` of these leads from their activities and deals (after a
    delete or an undone task). Three queries, whatever the number of leads."""
    latest: dict[int, datetime | None] = dict.fromkeys(lead_ids)

    def keep(rows) -> None:
        for lead_id, *moments in rows:
            for moment in moments:
                if moment is not None and (latest[lead_id] is None or moment > latest[lead_id]):
                    latest[lead_id] = moment

    keep(
        Activity.objects.filter(lead_id__in=lead_ids, done_at__isnull=False)
        .values("lead_id")
        .annotate(last=Max("done_at"))
        .values_list("lead_id", "last")
    )
    keep(
        Deal.objects.filter(lead_id__in=lead_ids)
        .values("lead_id")
        # A stage move on the board is sales activity too (`deal_move` records it).
        .annotate(opened=Max("created_at"), closed=Max("closed_at"), moved=Max("stage_changed_at"))
        .values_list("lead_id", "opened", "closed", "moved")
    )
    by_value: dict[datetime | None, list[int]] = {}
    for lead_id, moment in latest.items():
        by_value.setdefault(moment, []).append(lead_id)
    for moment, ids in by_value.items():
        Lead.objects.filter(pk__in=ids).update(last_activity_at=moment)


def _text_clean(field: str, value: str, *, max_length: int, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: "This field is required."})
    if len(value) > max_length:
        raise ValidationError({field: f"At most {max_length:,} characters."})
    if "\x00" in value:
        raise ValidationError({field: "Null characters are not allowed."})
    return value


def _done_at_clean(done_at: datetime | None) -> datetime | None:
    if done_at is not None and done_at > timezone.now() + FUTURE_TOLERANCE:
        raise ValidationError({"done_at": "An activity cannot be done in the future."})
    return done_at


def _owner_clean(owner: AbstractBaseUser) -> AbstractBaseUser:
    if not users_who_may_own().filter(pk=owner.pk).exists():
        raise ValidationError({"owner": "Activities belong to an active sales rep or manager."})
    return owner


def _deal_clean(deal: Deal | None, lead_id: int) -> Deal | None:
    if deal is not None and deal.lead_id != lead_id:
        raise ValidationError({"deal": "That deal belongs to another lead."})
    return deal


def activity_create(
    *,
    lead: Lead,
    kind: str,
    subject: str,
    created_by: AbstractBaseUser,
    body: str = "",
    due_at: datetime | None = None,
    done_at: datetime | None = None,
    owner: AbstractBaseUser | None = None,
    deal: Deal | None = None,
) -> Activity:
    """Log something that happened (a call, an email, a meeting, a note: done now unless
    given a due time) or plan something (a task, or any kind with a due time)."""
    if kind not in Activity.Kind.values:
        raise ValidationError({"kind": f"Choose one of: {', '.join(Activity.Kind.values)}."})
    subject = _text_clean("subject", subject, max_length=200, required=True)
    body = _text_clean("body", body, max_length=MAX_BODY, required=False)
    now = timezone.now()
    if done_at is None and (kind == Activity.Kind.NOTE or (kind in LOGGED_KINDS and not due_at)):
        done_at = now
    done_at = _done_at_clean(done_at)
    owner = _owner_clean(owner) if owner is not None else created_by
    deal = _deal_clean(deal, lead.pk)
    with transaction.atomic():
        activity = Activity.objects.create(
            lead=lead,
            kind=kind,
            subject=subject,
            body=body,
            due_at=due_at,
            done_at=done_at,
            owner=owner,
            deal=deal,
            created_by=created_by,
            created_at=now,
        )
        if done_at is not None:
            lead_activity_seen(lead_id=lead.pk, at=done_at)
        if kind == Activity.Kind.MEETING:
            # A booked meeting is what a cadence works towards: it stops.
            from sales.services.sequences import enrolments_stop_for_lead

            enrolments_stop_for_lead(lead_id=lead.pk, reason="A meeting was booked.", at=now)
    return activity


def activity_update(
    *,
    activity_id: int,
    actor: AbstractBaseUser,
    kind: str = UNSET,
    subject: str = UNSET,
    body: str = UNSET,
    due_at: datetime | None = UNSET,
    done_at: datetime | None = UNSET,
    owner: AbstractBaseUser = UNSET,
    deal: Deal | None = UNSET,
) -> Activity:
    """Change what was given; `due_at`, `done_at` and `deal` may be cleared with None
    (clearing `done_at` reopens a task)."""
    changes: dict[str, Any] = {}
    if kind is not UNSET:
        if kind not in Activity.Kind.values:
            raise ValidationError({"kind": f"Choose one of: {', '.join(Activity.Kind.values)}."})
        changes["kind"] = kind
    if subject is not UNSET:
        changes["subject"] = _text_clean("subject", subject, max_length=200, required=True)
    if body is not UNSET:
        changes["body"] = _text_clean("body", body, max_length=MAX_BODY, required=False)
    if due_at is not UNSET:
        changes["due_at"] = due_at
    if done_at is not UNSET:
        changes["done_at"] = _done_at_clean(done_at)
    if owner is not UNSET:
        changes["owner"] = _owner_clean(owner)
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=activity_id)
        if deal is not UNSET:
            changes["deal"] = _deal_clean(deal, activity.lead_id)
        changed = [name for name, value in changes.items() if getattr(activity, name) != value]
        previous_done_at = activity.done_at
        for name in changed:
            setattr(activity, name, changes[name])
        if changed:
            activity.save(update_fields=[*changed, "updated_at"])
        if "done_at" in changed:
            if activity.done_at is not None and (
                previous_done_at is None or activity.done_at > previous_done_at
            ):
                lead_activity_seen(lead_id=activity.lead_id, at=activity.done_at)
            else:
                leads_last_activity_rebuild(lead_ids=[activity.lead_id])
    return activity


def activity_complete(
    *, activity_id: int, actor: AbstractBaseUser, at: datetime | None = None
) -> Activity:
    """Mark a task (or planned call, meeting) done. Completing a done one does nothing."""
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=activity_id)
        if activity.done_at is not None:
            return activity
        activity.done_at = _done_at_clean(at) or timezone.now()
        activity.save(update_fields=["done_at", "updated_at"])
        lead_activity_seen(lead_id=activity.lead_id, at=activity.done_at)
    return activity


def activity_delete(*, activity_id: int, actor: AbstractBaseUser) -> None:
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=activity_id)
        was_done = activity.done_at is not None
        lead_id = activity.lead_id
        activity.delete()
        if was_done:
            leads_last_activity_rebuild(lead_ids=[lead_id])
