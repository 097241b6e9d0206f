"""The covering index the funnel metrics scan for a window's moves (PostgreSQL only).

`stagechange_window_idx` on (at) INCLUDE (from_stage, to_stage, from_stage_entered_at,
lead_id): flow into each stage and time in each stage (funnel.metrics.selectors) read every
move of the window by an index-only scan instead of the wide history rows; measured on
~2.9 million moves (docs/performance.md). Not in StageChange.Meta.indexes because SQLite,
the embedded default, has no INCLUDE (its plain `at` scans are fine at its scale).
"""

from django.db import migrations

INDEX = "stagechange_window_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "funnel_stagechange" ("at") '
        'INCLUDE ("from_stage", "to_stage", "from_stage_entered_at", "lead_id")'
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')


class Migration(migrations.Migration):
    dependencies = [
        ("funnel", "0001_initial"),
        ("leads", "0003_metrics_milestones_and_cohort_index"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
