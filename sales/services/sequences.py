"""Nurture sequences (cadences): their steps, enrolments, and the sweep that turns each due
step into a task for the prospect's owner.

The sweep is one INSERT ... SELECT guarded by the unique (enrolment, step) constraint with
ON CONFLICT DO NOTHING: however many workers run it at once, each step of each enrolment
becomes exactly one task, and a second run inserts nothing.
"""

from collections.abc import Iterable
from collections.abc import Sequence as Seq
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import DateTimeField, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from funnel.stages import Stage
from leads.models import Lead
from outbox.publish import task_publish_on_commit
from sales.errors import SalesConflict
from sales.expressions import AddDays
from sales.models import MAX_DAY_OFFSET, Activity, Enrolment, Sequence, SequenceStep

MAX_STEPS = 30
MAX_ENROL_AT_ONCE = 500


def _steps_clean(steps: Iterable[dict[str, Any]]) -> list[SequenceStep]:
    """Validate steps given in order; positions follow the order, offsets never go back."""
    cleaned: list[SequenceStep] = []
    errors: dict[str, list[str]] = {}
    for position, raw in enumerate(steps, start=1):
        kind = raw.get("kind")
        subject = (raw.get("subject") or "").strip()
        offset = raw.get("day_offset")
        problems = []
        if kind not in Activity.Kind.values:
            problems.append(f"kind must be one of: {', '.join(Activity.Kind.values)}")
        if not subject or len(subject) > 200 or "\x00" in subject:
            problems.append("subject is required, at most 200 characters")
        if not isinstance(offset, int) or isinstance(offset, bool):
            problems.append("day_offset must be a whole number of days")
        elif not 0 <= offset <= MAX_DAY_OFFSET:
            problems.append(f"day_offset must be between 0 and {MAX_DAY_OFFSET}")
        elif cleaned and offset < cleaned[-1].day_offset:
            problems.append("steps must be in order: day_offset cannot go back")
        if problems:
            errors[f"step {position}"] = problems
            continue
        cleaned.append(
            SequenceStep(position=position, day_offset=offset, kind=kind, subject=subject)
        )
    if errors:
        raise ValidationError({"steps": [f"{k}: {'; '.join(v)}" for k, v in errors.items()]})
    if not cleaned:
        raise ValidationError({"steps": "A sequence needs at least one step."})
    if len(cleaned) > MAX_STEPS:
        raise ValidationError({"steps": f"A sequence has at most {MAX_STEPS} steps."})
    return cleaned


def _name_clean(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 200 or "\x00" in name:
        raise ValidationError({"name": "A name is required (at most 200 characters)."})
    return name


def sequence_create(
    *,
    name: str,
    steps: list[dict[str, Any]],
    owner: AbstractBaseUser,
    description: str = "",
    is_active: bool = True,
) -> Sequence:
    name = _name_clean(name)
    cleaned = _steps_clean(steps)
    with transaction.atomic():
        sequence = Sequence.objects.create(
            name=name, description=description.strip(), is_active=is_active, owner=owner
        )
        for step in cleaned:
            step.sequence = sequence
        SequenceStep.objects.bulk_create(cleaned)
    return sequence


def sequence_update(
    *,
    sequence_id: int,
    actor: AbstractBaseUser,
    name: str | None = None,
    description: str | None = None,
    is_active: bool | None = None,
    steps: list[dict[str, Any]] | None = None,
) -> Sequence:
    """Rename, (de)activate or replace the steps. Steps are fixed once anyone was enrolled:
    past tasks point at them. Copy the sequence to change a running cadence."""
    with transaction.atomic():
        sequence = Sequence.objects.select_for_update().get(pk=sequence_id)
        changed = []
        if name is not None:
            sequence.name = _name_clean(name)
            changed.append("name")
        if description is not None:
            sequence.description = description.strip()
            changed.append("description")
        if is_active is not None:
            sequence.is_active = is_active
            changed.append("is_active")
        if steps is not None:
            cleaned = _steps_clean(steps)
            if sequence.enrolments.exists():
                raise SalesConflict(
                    "Prospects have been enrolled in this sequence, so its steps are fixed. "
                    "Create a new sequence (or deactivate this one) instead.",
                    code="sequence_in_use",
                )
            sequence.steps.all().delete()
            for step in cleaned:
                step.sequence = sequence
            SequenceStep.objects.bulk_create(cleaned)
        if changed:
            sequence.save(update_fields=[*changed, "updated_at"])
    return sequence


def sequence_delete(*, sequence_id: int, actor: AbstractBaseUser) -> None:
    with transaction.atomic():
        sequence = Sequence.objects.select_for_update().get(pk=sequence_id)
        if sequence.enrolments.exists():
            raise SalesConflict(
                "Prospects have been enrolled in this sequence; deactivate it instead of "
                "deleting it, so their history stays.",
                code="sequence_in_use",
            )
        sequence.delete()


def leads_enrol(
    *, sequence_id: int, lead_ids: Seq[int], actor: AbstractBaseUser
) -> tuple[list[Enrolment], list[int]]:
    """Enrol prospects in a sequence: all of them or none. A lead that is not a prospect
    is a conflict; one already running the sequence is left as it is. Returns the new
    enrolments and the ids already enrolled. Due day-0 steps are created on commit."""
    from sales import tasks

    lead_ids = list(dict.fromkeys(lead_ids))
    if not lead_ids:
        raise ValidationError({"leads": "Choose at least one prospect."})
    if len(lead_ids) > MAX_ENROL_AT_ONCE:
        raise ValidationError({"leads": f"Enrol at most {MAX_ENROL_AT_ONCE} at once."})
    with transaction.atomic():
        sequence = Sequence.objects.select_for_update().get(pk=sequence_id)
        if not sequence.is_active:
            raise SalesConflict("This sequence is inactive; it takes no new enrolments.")
        # Lock the leads so none leaves the prospect stage while it is being enrolled.
        stages = dict(
            Lead.objects.filter(pk__in=lead_ids)
            .order_by("pk")
            .select_for_update()
            .values_list("pk", "stage")
        )
        missing = [pk for pk in lead_ids if pk not in stages]
        if missing:
            raise ValidationError({"leads": f"No such leads: {missing[:20]}."})
        not_prospects = [pk for pk in lead_ids if stages[pk] != Stage.PROSPECT]
        if not_prospects:
            raise SalesConflict(
                f"Only prospects can be enrolled; {len(not_prospects)} of these are not "
                f"(ids {not_prospects[:20]}).",
                code="not_prospect",
            )
        already = set(
            Enrolment.objects.filter(
                sequence=sequence, lead_id__in=lead_ids, status=Enrolment.Status.ACTIVE
            ).values_list("lead_id", flat=True)
        )
        now = timezone.now()
        created = Enrolment.objects.bulk_create(
            enrolment_new(sequence=sequence, lead_id=pk, enrolled_by=actor, started_at=now)
            for pk in lead_ids
            if pk not in already
        )
        new_ids = list(
            Enrolment.objects.filter(
                sequence=sequence,
                lead_id__in=[e.lead_id for e in created],
                status=Enrolment.Status.ACTIVE,
            ).values_list("pk", flat=True)
        )
        if new_ids:
            task_publish_on_commit(tasks.sequence_steps_create_due, enrolment_ids=new_ids)
    return created, sorted(already)


def enrolment_stop(*, enrolment_id: int, actor: AbstractBaseUser, reason: str = "") -> Enrolment:
    """Stop a running enrolment (its open tasks stay). Stopping a finished one does nothing."""
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment_id)
        if enrolment.status != Enrolment.Status.ACTIVE:
            return enrolment
        enrolment.status = Enrolment.Status.STOPPED
        enrolment.ended_at = timezone.now()
        enrolment.stop_reason = (reason.strip() or f"Stopped by {actor}")[:200]
        enrolment.save(update_fields=["status", "ended_at", "stop_reason"])
    return enrolment


def enrolments_stop_for_lead(*, lead_id: int, reason: str, at: datetime | None = None) -> int:
    """Stop the lead's running enrolments because something ended the conversation's need
    for a cadence (a meeting booked, a deal won or lost, a reply). One UPDATE."""
    return Enrolment.objects.filter(lead_id=lead_id, status=Enrolment.Status.ACTIVE).update(
        status=Enrolment.Status.STOPPED, ended_at=at or timezone.now(), stop_reason=reason[:200]
    )


def enrolments_stop_for_leads(*, lead_ids: list[int], to_stage: str, at: datetime) -> int:
    """Stop every running enrolment of leads that left the prospect stage (one UPDATE)."""
    return Enrolment.objects.filter(lead_id__in=lead_ids, status=Enrolment.Status.ACTIVE).update(
        status=Enrolment.Status.STOPPED,
        ended_at=at,
        stop_reason=f"The lead moved to {Stage(to_stage).label.lower()}.",
    )


def enrolment_new(
    *, sequence: Sequence, lead_id: int, enrolled_by: AbstractBaseUser | None, started_at: datetime
) -> Enrolment:
    """An unsaved enrolment whose first step falls due `day_offset` days after the start."""
    first = sequence.steps.order_by("position").first()
    return Enrolment(
        sequence=sequence,
        lead_id=lead_id,
        enrolled_by=enrolled_by,
        started_at=started_at,
        created_at=started_at,
        last_position=0,
        next_due_at=started_at + timedelta(days=first.day_offset) if first else None,
    )


def _due_enrolments(*, now: datetime, enrolment_ids: list[int] | None) -> QuerySet:
    """Running enrolments of prospects with a step due: an index range on next_due_at."""
    due = Enrolment.objects.filter(
        status=Enrolment.Status.ACTIVE, next_due_at__lte=now, lead__stage=Stage.PROSPECT
    )
    return due.filter(pk__in=enrolment_ids) if enrolment_ids is not None else due


def due_steps(*, now: datetime, enrolment_ids: list[int] | None = None) -> QuerySet:
    """(enrolment, step) pairs due and past the enrolment's progress, as the columns of
    the task to insert, in `TASK_COLUMNS` order."""
    # One annotate() for every column of the multi-valued `steps` join, so they all read
    # the same joined step row (separate calls could each add their own join).
    # A step with an email (mail.StepEmail) is sent by the email app, not given to a rep.
    columns = _due_enrolments(now=now, enrolment_ids=enrolment_ids).filter(
        sequence__steps__email__isnull=True
    )
    columns = columns.annotate(
        c_lead_id=F("lead_id"),
        c_owner_id=Coalesce(F("lead__owner_id"), F("enrolled_by_id")),
        c_kind=F("sequence__steps__kind"),
        c_subject=F("sequence__steps__subject"),
        c_body=Value(""),
        c_due_at=AddDays(F("started_at"), F("sequence__steps__day_offset")),
        c_enrolment_id=F("pk"),
        c_step_id=F("sequence__steps__id"),
        c_created_at=Value(now, output_field=DateTimeField()),
        c_updated_at=Value(now, output_field=DateTimeField()),
        c_position=F("sequence__steps__position"),
    )
    return (
        columns.filter(c_due_at__lte=now, c_position__gt=F("last_position"))
        .values_list(*[f"c_{column}" for column in TASK_COLUMNS])
        .order_by()
    )


TASK_COLUMNS = (
    "lead_id",
    "owner_id",
    "kind",
    "subject",
    "body",
    "due_at",
    "enrolment_id",
    "step_id",
    "created_at",
    "updated_at",
)


def sequence_steps_create_due(
    *, now: datetime | None = None, enrolment_ids: list[int] | None = None
) -> int:
    """Create a task for every due step of every running enrolment (or of `enrolment_ids`),
    then record each enrolment's progress, completing those with no step left. Returns
    the number of tasks created. Three statements, however many enrolments.

    Safe beside a sibling worker: a pair it inserted first is skipped here (the unique
    constraint, ON CONFLICT DO NOTHING), and an enrolment it already advanced no longer
    matches `next_due_at <= now` when this one's UPDATE gets the row."""
    now = now or timezone.now()
    select_sql, params = due_steps(now=now, enrolment_ids=enrolment_ids).query.sql_with_params()
    qn = connection.ops.quote_name
    columns = ", ".join(qn(column) for column in TASK_COLUMNS)
    # MATERIALIZED: the pairs are picked before the first row is written, so the plan
    # never reads the table being filled. The WITH sits inside the INSERT so that Python's
    # sqlite3 reports the row count; `WHERE true` keeps SQLite's parser from reading
    # ON CONFLICT as a join clause.
    sql = (
        f"INSERT INTO {qn(Activity._meta.db_table)} ({columns}) "
        f"WITH due AS MATERIALIZED ({select_sql}) SELECT * FROM due WHERE true "
        "ON CONFLICT (enrolment_id, step_id) DO NOTHING"
    )
    from mail.sequences import step_messages_create_due

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            created = max(cursor.rowcount, 0)
        # Email steps become queued messages in the same transaction, before the progress
        # moves past them (one more INSERT ... SELECT, whatever the number of enrolments).
        created += step_messages_create_due(now=now, enrolment_ids=enrolment_ids)
        enrolments_advance(now=now, enrolment_ids=enrolment_ids)
    return created


def enrolments_advance(*, now: datetime, enrolment_ids: list[int] | None = None) -> int:
    """Move each due enrolment's progress past its steps due by `now` (two UPDATEs): the
    last position done, when the next step falls due, and "completed" when none is left."""
    steps = SequenceStep.objects.filter(sequence_id=OuterRef("sequence_id")).annotate(
        due_at=AddDays(OuterRef("started_at"), F("day_offset"))
    )
    advanced = _due_enrolments(now=now, enrolment_ids=enrolment_ids).update(
        last_position=Subquery(
            steps.filter(due_at__lte=now).order_by("-position").values("position")[:1]
        ),
        next_due_at=Subquery(
            steps.filter(due_at__gt=now).order_by("position").values("due_at")[:1]
        ),
    )
    finished = Enrolment.objects.filter(status=Enrolment.Status.ACTIVE, next_due_at__isnull=True)
    if enrolment_ids is not None:
        finished = finished.filter(pk__in=enrolment_ids)
    finished.update(status=Enrolment.Status.COMPLETED, ended_at=now, stop_reason="")
    return advanced
