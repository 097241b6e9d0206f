"""Bring the manager dashboards' daily rollups up to date now (PostgreSQL).

The beat task `funnel.tasks.metric_rollups_refresh` does this every minute; run it by hand
after a restore or to time a rebuild: `manage.py funnel_rollups --full`.
"""

import time

from django.core.management.base import BaseCommand

from funnel.metrics.rollup_refresh import rollups_refresh


class Command(BaseCommand):
    help = "Rebuild the metric rollups' changed days (--full: every day)."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="Rebuild every day.")

    def handle(self, *args, full: bool = False, **options):
        began = time.monotonic()
        result = rollups_refresh(full=full)
        if result is None:
            self.stdout.write("No rollups here: SQLite reads every figure live.")
            return
        self.stdout.write(
            self.style.SUCCESS(f"Metric rollups: {result} in {time.monotonic() - began:.1f} s.")
        )
