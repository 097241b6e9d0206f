"""Sequence email steps: written by the due-step sweep (set-based), sent within the owner's
window, stopped by a reply, a meeting, a closed deal or a stage change."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from funnel.services import lead_transition
from funnel.stages import Cause, Stage
from mail import sending, services
from mail.models import Message, SendingWindow
from sales import services as sales
from sales.models import Activity, Enrolment
from tests import factories


@pytest.fixture
def cadence(rep):
    sequence = sales.sequence_create(
        name="Intro",
        owner=rep,
        steps=[
            {"kind": "email", "subject": "Intro email", "day_offset": 0},
            {"kind": "call", "subject": "Call", "day_offset": 2},
            {"kind": "email", "subject": "Follow-up", "day_offset": 4},
        ],
    )
    steps = list(sequence.steps.order_by("position"))
    services.step_email_set(
        step_id=steps[0].pk,
        actor=rep,
        subject="Hello {{ first_name }}",
        body_text="Hi {{ first_name }} at {{ company }}\n{{ rep_signature }}",
    )
    services.step_email_set(
        step_id=steps[2].pk, actor=rep, subject="Still there?", body_text="Ping"
    )
    return sequence


@pytest.fixture
def always_open(rep):
    return SendingWindow.objects.create(
        user=rep, time_zone="UTC", weekdays=[1, 2, 3, 4, 5, 6, 7], start_hour=0, end_hour=24
    )


def enrol(cadence, lead, rep):
    sales.leads_enrol(sequence_id=cadence.pk, lead_ids=[lead.pk], actor=rep)
    sales.sequence_steps_create_due()
    return Enrolment.objects.get(lead=lead)


def test_due_email_step_is_a_message_not_a_task_and_goes_out(
    cadence, prospect, rep, always_open, smtp
):
    enrolment = enrol(cadence, prospect, rep)
    message = Message.objects.get()
    assert (message.enrolment_id, message.rendered, message.sender_id) == (
        enrolment.pk,
        False,
        rep.pk,
    )
    assert not Activity.objects.exists()  # no task for the rep
    assert sending.messages_send() == 1
    (_, email) = smtp.received[0]
    assert email["Subject"] == "Hello Ada"
    assert email["Message-ID"] == message.message_id
    activity = Activity.objects.get()
    assert (activity.kind, activity.enrolment_id, activity.done_at is not None) == (
        "email",
        enrolment.pk,
        True,
    )
    sales.sequence_steps_create_due()  # again: nothing new
    assert Message.objects.count() == 1


def test_outside_the_sending_window_it_waits_for_the_next_opening(cadence, prospect, rep, smtp):
    # Pinned clock: Wednesday 22:30 UTC; the default window is weekdays 08:00-18:00 UTC.
    enrol(cadence, prospect, rep)
    assert sending.messages_send() == 0
    message = Message.objects.get()
    assert message.status == "queued"
    assert message.send_after == datetime(2027, 4, 1, 8, 0, tzinfo=UTC)
    assert message.attempts == 0
    assert sending.messages_send(now=message.send_after + timedelta(seconds=1)) == 1


def test_window_in_the_owners_time_zone(rep):
    from mail.sequences import window_next_open

    SendingWindow.objects.create(
        user=rep, time_zone="Asia/Tokyo", weekdays=[1, 2, 3, 4, 5], start_hour=9, end_hour=17
    )
    # Wednesday 22:30 UTC is Thursday 07:30 in Tokyo: opens at 09:00 Tokyo = 00:00 UTC.
    now = datetime(2027, 3, 31, 22, 30, tzinfo=UTC)
    assert window_next_open(user=rep, now=now) == datetime(2027, 4, 1, 0, 0, tzinfo=UTC)
    # Friday 18:00 Tokyo: the next opening is Monday 09:00 Tokyo.
    friday = datetime(2027, 4, 2, 9, 0, tzinfo=UTC)
    assert window_next_open(user=rep, now=friday) == datetime(2027, 4, 5, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize("stopper", ["reply", "meeting", "deal_won", "deal_lost", "stage"])
def test_what_stops_an_enrolment_stops_its_emails(
    stopper, cadence, prospect, rep, always_open, smtp, clock
):
    enrolment = enrol(cadence, prospect, rep)
    sending.messages_send()
    first = Message.objects.get()
    if stopper == "reply":
        services.message_mark_replied(message=first, actor=rep)
    elif stopper == "meeting":
        sales.activity_create(lead=prospect, kind="meeting", subject="Demo", created_by=rep)
    elif stopper == "deal_won":
        deal = sales.deal_create(lead=prospect, title="D", amount=100, created_by=rep)
        sales.deal_win(deal_id=deal.pk, actor=rep, cause=Cause.MANUAL)
    elif stopper == "deal_lost":
        deal = sales.deal_create(lead=prospect, title="D", amount=100, created_by=rep)
        sales.deal_lose(deal_id=deal.pk, actor=rep, reason="Budget")
    else:
        lead_transition(lead_id=prospect.pk, to_stage=Stage.LOST, cause=Cause.MANUAL)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.STOPPED
    clock.shift(timedelta(days=5))
    sales.sequence_steps_create_due()
    assert sending.messages_send() == 0
    assert Message.objects.count() == 1
    assert len(smtp.received) == 1


def test_a_message_queued_before_the_stop_is_skipped_with_the_reason(
    cadence, prospect, rep, always_open
):
    enrolment = enrol(cadence, prospect, rep)
    sales.enrolment_stop(enrolment_id=enrolment.pk, actor=rep, reason="Not now")
    assert sending.messages_send() == 0
    message = Message.objects.get()
    assert message.status == "skipped" and "Not now" in message.reason


def test_sweep_query_count_does_not_grow_with_enrolments(cadence, rep):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def prospects(n):
        leads = [factories.LeadFactory(owner=rep) for _ in range(n)]
        for lead in leads:
            lead_transition(lead_id=lead.pk, to_stage=Stage.PROSPECT, cause=Cause.MANUAL)
        sales.leads_enrol(sequence_id=cadence.pk, lead_ids=[x.pk for x in leads], actor=rep)

    prospects(3)
    with CaptureQueriesContext(connection) as few:
        sales.sequence_steps_create_due(now=timezone.now())
    prospects(40)
    with CaptureQueriesContext(connection) as many:
        sales.sequence_steps_create_due(now=timezone.now())
    assert len(many.captured_queries) == len(few.captured_queries) <= 8
    assert Message.objects.count() == 43
