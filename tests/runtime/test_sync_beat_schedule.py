"""`manage.py sync_beat_schedule`: settings' schedule into django-celery-beat's tables,
keeping what admins paused and disabling entries that left the settings."""

from datetime import timedelta
from io import StringIO

import pytest
from celery.schedules import crontab
from django.core.management import call_command
from django_celery_beat.models import IntervalSchedule, PeriodicTask

pytestmark = pytest.mark.django_db

SCHEDULE = {
    "qualify-scored-leads": {
        "task": "funnel.tasks.qualify_scored_leads",
        "schedule": timedelta(minutes=1),
    },
    "nightly": {"task": "sales.tasks.stale_prospects_recycle", "schedule": crontab(0, 3)},
}


def _sync(settings, schedule) -> str:
    settings.CELERY_BEAT_SCHEDULE = schedule
    output = StringIO()
    call_command("sync_beat_schedule", stdout=output)
    return output.getvalue()


def test_creates_each_entry_with_its_schedule(settings):
    output = _sync(settings, SCHEDULE)
    assert "2 created, 0 updated, 0 disabled" in output
    qualify = PeriodicTask.objects.get(name="qualify-scored-leads")
    assert qualify.task == "funnel.tasks.qualify_scored_leads"
    assert qualify.enabled
    assert qualify.interval.every * {"seconds": 1, "minutes": 60}[qualify.interval.period] == 60
    nightly = PeriodicTask.objects.get(name="nightly")
    assert (nightly.crontab.minute, nightly.crontab.hour) == ("0", "3")


def test_second_run_updates_the_schedule_and_keeps_an_admin_pause(settings):
    _sync(settings, SCHEDULE)
    PeriodicTask.objects.filter(name="qualify-scored-leads").update(enabled=False)
    changed = {**SCHEDULE, "qualify-scored-leads": {**SCHEDULE["qualify-scored-leads"]}}
    changed["qualify-scored-leads"]["schedule"] = timedelta(minutes=5)
    output = _sync(settings, changed)
    assert "0 created, 2 updated" in output
    assert "paused in admin" in output
    qualify = PeriodicTask.objects.get(name="qualify-scored-leads")
    assert not qualify.enabled
    assert qualify.interval.every * {"seconds": 1, "minutes": 60}[qualify.interval.period] == 300
    assert PeriodicTask.objects.filter(name__in=SCHEDULE).count() == 2


def test_entries_removed_from_settings_are_disabled_not_deleted(settings):
    _sync(settings, SCHEDULE)
    every_hour = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    PeriodicTask.objects.create(
        name="made in admin", task="funnel.tasks.qualify_scored_leads", interval=every_hour
    )
    output = _sync(settings, {"nightly": SCHEDULE["nightly"]})
    assert "qualify-scored-leads: no longer in settings, disabled" in output
    assert not PeriodicTask.objects.get(name="qualify-scored-leads").enabled
    assert PeriodicTask.objects.get(name="nightly").enabled
    # Entries an admin made are not the settings' to manage.
    assert PeriodicTask.objects.get(name="made in admin").enabled
