"""Sweeps never pile up: beat's sweep message expires when the next one is due, so a
sweep that waited behind busy workers is dropped instead of run late (one per interval at
most), through django-celery-beat's DatabaseScheduler as `make run` and production use."""

from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import ModelEntry

from config.celery import app

SWEEP = "integrations-webhooks-sweep"


def test_the_sweep_message_expires_after_one_interval(db):
    call_command("sync_beat_schedule", stdout=StringIO())

    task = PeriodicTask.objects.get(name=SWEEP)
    entry = ModelEntry(task, app=app)

    assert task.task == "integrations.tasks.webhooks_sweep"
    assert entry.options["expires"] == settings.WEBHOOKS_SWEEP_SECONDS
    assert task.interval.every == settings.WEBHOOKS_SWEEP_SECONDS
