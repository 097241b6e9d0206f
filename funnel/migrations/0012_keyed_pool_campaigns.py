"""Keyed summaries gain dimension 3, the source campaigns of unowned leads (the pool a rep
sees; funnel/metrics/keyed_sql.py). No schema change; the built rows lack dim 3, so the
rollups are forgotten (PostgreSQL only): everything is read live until the next refresh
rebuilds them all, keyed ones included."""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DELETE FROM funnel_rollup_state")


class Migration(migrations.Migration):
    dependencies = [
        ("funnel", "0011_keyed_note_trigger"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
