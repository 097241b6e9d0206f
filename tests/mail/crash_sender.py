"""Run by test_exactly_once.py in a child process: send the due messages and SIGKILL
itself at the point named by argv[1] (after the claim, or after the server accepted the
message but before it is marked sent)."""

import os
import signal
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
django.setup()

from mail import sending  # noqa: E402

point = sys.argv[1]


def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)


if point == "after_claim":
    original = sending.email_build

    def build_then_die(*args, **kwargs):
        die()

    sending.email_build = build_then_die
elif point == "after_send":
    sending._mark = die
sending.messages_send()
