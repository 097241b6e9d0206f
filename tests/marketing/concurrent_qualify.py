"""Run by test_qualify_concurrency.py in several processes at once."""

import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
django.setup()

from config.celery import app  # noqa: E402
from funnel.tasks import qualify_scored_leads  # noqa: E402

# Owner assignment (queued on commit of each move) runs right here, racing the others.
app.conf.task_always_eager = True

if __name__ == "__main__":
    rounds = int(sys.argv[1])
    for _ in range(rounds):
        qualify_scored_leads()
