from datetime import timedelta

import pytest
from django.utils import timezone

from funnel.services import lead_transition, leads_move_bulk
from funnel.stages import Cause, Stage
from leads.models import Lead
from sales import services
from sales.errors import SalesConflict
from sales.models import Activity, Enrolment
from tests.sales.factories import EnrolmentFactory, SequenceFactory, lead_in, prospect

pytestmark = pytest.mark.django_db


def tasks_of(enrolment):
    return list(
        Activity.objects.filter(enrolment=enrolment)
        .order_by("step__position")
        .values_list("step__day_offset", "kind", "subject", "owner_id")
    )


def test_each_due_step_becomes_one_task_for_the_prospects_owner(rep):
    started = timezone.now() - timedelta(days=3)
    enrolment = EnrolmentFactory(lead=prospect(owner=rep), started_at=started)

    created = services.sequence_steps_create_due()

    assert created == 2
    assert tasks_of(enrolment) == [
        (0, "email", "Intro email", rep.pk),
        (2, "call", "Follow-up call", rep.pk),
    ]
    task = Activity.objects.get(enrolment=enrolment, step__day_offset=2)
    assert task.due_at == started + timedelta(days=2)
    assert task.done_at is None and task.lead_id == enrolment.lead_id
    assert Enrolment.objects.get(pk=enrolment.pk).status == Enrolment.Status.ACTIVE


def test_a_second_run_creates_nothing_and_the_last_step_completes_the_enrolment(rep):
    enrolment = EnrolmentFactory(
        lead=prospect(owner=rep), started_at=timezone.now() - timedelta(days=6)
    )
    assert services.sequence_steps_create_due() == 3
    assert services.sequence_steps_create_due() == 0

    assert Activity.objects.filter(enrolment=enrolment).count() == 3
    finished = Enrolment.objects.get(pk=enrolment.pk)
    assert finished.status == Enrolment.Status.COMPLETED and finished.ended_at is not None


def test_progress_is_recorded_and_a_deleted_task_is_not_made_again(rep):
    started = timezone.now() - timedelta(days=3)
    enrolment = EnrolmentFactory(lead=prospect(owner=rep), started_at=started)
    services.sequence_steps_create_due()

    enrolment.refresh_from_db()
    assert enrolment.last_position == 2
    assert enrolment.next_due_at == started + timedelta(days=5)
    Activity.objects.filter(enrolment=enrolment, step__position=2).delete()
    assert services.sequence_steps_create_due() == 0
    assert services.sequence_steps_create_due(now=started + timedelta(days=5)) == 1
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED and enrolment.next_due_at is None


def test_an_ownerless_prospects_tasks_go_to_whoever_enrolled_it(rep):
    enrolment = EnrolmentFactory(lead=prospect(owner=None), enrolled_by=rep)
    services.sequence_steps_create_due()
    assert Activity.objects.get(enrolment=enrolment).owner == rep


def test_enrolling_creates_the_day_zero_step_at_once(rep, django_capture_on_commit_callbacks):
    sequence = SequenceFactory()
    lead = prospect(owner=rep)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        created, already = services.leads_enrol(
            sequence_id=sequence.pk, lead_ids=[lead.pk], actor=rep
        )
    assert len(created) == 1 and already == []
    # The queued task runs the same service for just these enrolments.
    assert len(callbacks) == 1
    enrolment = Enrolment.objects.get(lead=lead)
    services.sequence_steps_create_due(enrolment_ids=[enrolment.pk])
    assert tasks_of(enrolment) == [(0, "email", "Intro email", rep.pk)]


def test_enrolling_many_is_all_or_nothing_when_one_is_not_a_prospect(rep):
    sequence = SequenceFactory()
    good = [prospect(owner=rep) for _ in range(3)]
    customer = lead_in(Stage.CUSTOMER, owner=rep)

    with pytest.raises(SalesConflict, match="Only prospects"):
        services.leads_enrol(
            sequence_id=sequence.pk, lead_ids=[*(p.pk for p in good), customer.pk], actor=rep
        )
    assert not Enrolment.objects.exists()


def test_enrolling_again_keeps_the_running_enrolment(rep):
    sequence = SequenceFactory()
    lead = prospect(owner=rep)
    services.leads_enrol(sequence_id=sequence.pk, lead_ids=[lead.pk], actor=rep)

    created, already = services.leads_enrol(sequence_id=sequence.pk, lead_ids=[lead.pk], actor=rep)

    assert (created, already) == ([], [lead.pk])
    assert Enrolment.objects.filter(lead=lead).count() == 1


def test_an_inactive_sequence_takes_no_enrolments(rep):
    sequence = SequenceFactory(is_active=False)
    with pytest.raises(SalesConflict):
        services.leads_enrol(sequence_id=sequence.pk, lead_ids=[prospect(owner=rep).pk], actor=rep)
    assert not Enrolment.objects.exists()


@pytest.mark.parametrize("to_stage", [Stage.LOST, Stage.LEAD, Stage.CUSTOMER])
def test_leaving_the_prospect_stage_stops_the_enrolment(rep, to_stage):
    enrolment = EnrolmentFactory(lead=prospect(owner=rep))

    lead_transition(lead_id=enrolment.lead_id, to_stage=to_stage, cause=Cause.MANUAL)

    stopped = Enrolment.objects.get(pk=enrolment.pk)
    assert stopped.status == Enrolment.Status.STOPPED
    assert to_stage in stopped.stop_reason
    assert services.sequence_steps_create_due() == 0


def test_the_bulk_mover_stops_enrolments_of_every_lead_it_moves(rep):
    enrolments = [EnrolmentFactory(lead=prospect(owner=rep)) for _ in range(4)]
    kept = EnrolmentFactory(lead=prospect(owner=rep))

    leads_move_bulk(
        candidates=Lead.objects.filter(pk__in=[e.lead_id for e in enrolments]),
        to_stage=Stage.LEAD,
        cause=Cause.TASK,
        batch_size=3,
    )

    statuses = dict(Enrolment.objects.values_list("pk", "status"))
    assert {statuses[e.pk] for e in enrolments} == {Enrolment.Status.STOPPED}
    assert statuses[kept.pk] == Enrolment.Status.ACTIVE


def test_steps_are_fixed_once_someone_was_enrolled(rep):
    sequence = SequenceFactory()
    services.sequence_update(
        sequence_id=sequence.pk,
        actor=rep,
        steps=[{"day_offset": 1, "kind": "call", "subject": "Only step"}],
    )
    assert list(sequence.steps.values_list("subject", flat=True)) == ["Only step"]
    EnrolmentFactory(sequence=sequence)

    with pytest.raises(SalesConflict):
        services.sequence_update(
            sequence_id=sequence.pk,
            actor=rep,
            steps=[{"day_offset": 1, "kind": "call", "subject": "Other"}],
        )
    with pytest.raises(SalesConflict):
        services.sequence_delete(sequence_id=sequence.pk, actor=rep)
    assert list(sequence.steps.values_list("subject", flat=True)) == ["Only step"]
