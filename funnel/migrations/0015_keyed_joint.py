"""Keyed summaries gain dimension 4, the pair (source campaign, owner) of a lead
(funnel/metrics/keyed_sql.py), and lose dimension 3 (the pool's campaigns: dimension 4's
rows of owner 0). No schema change: the index on (dim, key, month) reads a campaign's joint
keys as one range. The built rows lack dim 4, so the rollups are forgotten (PostgreSQL
only): everything is read live until the next refresh rebuilds them all, keyed ones
included, and drops the dim 3 rows."""

import importlib

from django.db import migrations

# The same step as 0012's: forget the rollup state (PostgreSQL only).
forward = importlib.import_module("funnel.migrations.0012_keyed_pool_campaigns").forward


class Migration(migrations.Migration):
    dependencies = [
        ("funnel", "0014_keyed_days"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
