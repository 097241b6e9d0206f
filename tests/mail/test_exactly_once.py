"""Exactly once, at most once more: a worker killed at any point of a send leaves a row the
next sweep re-sends with the same Message-ID, once at most; never a third copy."""

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from mail import sending, services
from mail.models import Message
from tests.celery_worker import database_url

ROOT = Path(__file__).resolve().parents[2]


def queue(lead, sender, n=1):
    return [
        services.message_compose(lead=lead, sender=sender, subject=f"S{i}", body_text="Hello")
        for i in range(n)
    ]


def test_a_lapsed_claim_is_sent_once_more_with_the_same_message_id(smtp, prospect, rep, clock):
    (message,) = queue(prospect, rep)
    claimed = sending.messages_claim(now=timezone.now())
    # The worker sent it and died before marking it.
    from django.core.mail import get_connection

    get_connection().send_messages([sending.email_build(claimed[0])])
    assert sending.messages_send() == 0  # the lease still holds it

    clock.shift(timedelta(seconds=301))
    assert sending.messages_send() == 1
    assert smtp.handler.message_ids() == [message.message_id, message.message_id]
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.attempts == 2


def test_a_second_lapse_is_an_unknown_outcome_never_a_third_copy(smtp, prospect, rep, clock):
    (message,) = queue(prospect, rep)
    for _ in range(2):
        assert sending.messages_claim(now=timezone.now())
        clock.shift(timedelta(seconds=301))
    assert sending.messages_send() == 0
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert "Outcome unknown" in message.reason
    assert smtp.received == []


def test_two_claims_never_hold_the_same_row(prospect, rep):
    queue(prospect, rep, n=5)
    now = timezone.now()
    first = sending.messages_claim(now=now)
    second = sending.messages_claim(now=now)
    assert len(first) == 5 and second == []


def run_child(point: str, port: int, lease: int = 2) -> int:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "MAIL_CLAIM_LEASE_SECONDS": str(lease),
    }
    child = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("crash_sender.py")), point],
        env=env,
        cwd=ROOT,
        capture_output=True,
        timeout=120,
    )
    return child.returncode


@pytest.mark.real_clock
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("point", ["after_claim", "after_send"])
def test_kill_minus_nine_mid_send_then_sweep(smtp, point):
    from funnel.services import lead_transition
    from funnel.stages import Cause, Stage
    from tests import factories

    rep = factories.RepFactory()
    lead = factories.LeadFactory(owner=rep)
    lead_transition(lead_id=lead.pk, to_stage=Stage.PROSPECT, cause=Cause.MANUAL)
    lead.refresh_from_db()
    messages = queue(lead, rep, n=3)

    assert run_child(point, smtp.port) == -signal.SIGKILL
    # The kill came at the first message: nothing is marked, the claims hold the rows.
    assert not Message.objects.filter(status=Message.Status.SENT).exists()
    copies_before = len(smtp.received)
    assert copies_before == (1 if point == "after_send" else 0)

    later = timezone.now() + timedelta(seconds=5)
    assert sending.messages_send(now=later) == 3
    ids = smtp.handler.message_ids()
    expected = sorted(m.message_id for m in messages)
    assert sorted(set(ids)) == expected
    for message in messages:
        assert ids.count(message.message_id) <= 2
    assert len(ids) == 3 + copies_before
    assert Message.objects.filter(status=Message.Status.SENT).count() == 3
    assert sending.messages_send(now=later + timedelta(seconds=10)) == 0
