"""Write `settings.CELERY_BEAT_SCHEDULE` into django-celery-beat's tables.

Beat's DatabaseScheduler reads the schedule from the database, where the admin shows and
edits it (Periodic tasks). This command puts the code's defaults there before beat starts,
in the same way beat itself does on start-up (`ModelEntry.from_entry`): the task, its
schedule and options come from settings; the `enabled` flag is never touched on an existing
entry, so a task paused in the admin stays paused. Entries this command created whose name
left the settings are disabled (not deleted: their run history stays visible).
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import ModelEntry

from config.celery import app

MANAGED = "Managed by sync_beat_schedule from settings.CELERY_BEAT_SCHEDULE"


def beat_schedule_sync(schedule: dict[str, dict]) -> dict[str, list[str]]:
    """Create or update one PeriodicTask per entry; returns names by what happened."""
    report: dict[str, list[str]] = {"created": [], "updated": [], "disabled": []}
    with transaction.atomic():
        existing = set(
            PeriodicTask.objects.filter(name__in=schedule).values_list("name", flat=True)
        )
        for name, entry in schedule.items():
            ModelEntry.from_entry(name, app=app, description=MANAGED, **entry)
            report["updated" if name in existing else "created"].append(name)
        stale = PeriodicTask.objects.filter(description=MANAGED, enabled=True).exclude(
            name__in=schedule
        )
        for task in stale:
            task.enabled = False
            # save(), not update(): django-celery-beat's signal tells a running beat.
            task.save(update_fields=["enabled"])
            report["disabled"].append(task.name)
    return report


class Command(BaseCommand):
    help = "Write CELERY_BEAT_SCHEDULE into django-celery-beat's tables (keeps admin pauses)."

    def handle(self, *args, **options):
        report = beat_schedule_sync(settings.CELERY_BEAT_SCHEDULE)
        tasks = PeriodicTask.objects.filter(name__in=settings.CELERY_BEAT_SCHEDULE).select_related(
            "interval", "crontab"
        )
        for task in tasks.order_by("name"):
            state = "enabled" if task.enabled else "paused in admin"
            self.stdout.write(f"  {task.name}: {task.task} {task.schedule} ({state})")
        for name in report["disabled"]:
            self.stdout.write(f"  {name}: no longer in settings, disabled")
        self.stdout.write(
            self.style.SUCCESS(
                f"Beat schedule: {len(report['created'])} created, "
                f"{len(report['updated'])} updated, {len(report['disabled'])} disabled."
            )
        )
