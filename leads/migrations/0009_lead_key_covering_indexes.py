"""The leads of one owner or one campaign with their id and both keys, from an index alone
(PostgreSQL only: INCLUDE columns).

The funnel's keyed reader (funnel.metrics.keyed_read) joins the day's live moves to a
narrow filter's leads: one rep's 23,080 leads at 1M were read from their scattered rows in
77 ms, from this index in 3 ms. Each replaces the foreign key's plain index on the same
column, so a write maintains as many indexes as before. SQLite keeps the plain ones.
"""

from django.db import migrations
from django.db.backends.utils import names_digest

# Each foreign key's plain index, by the name Django gave it, and its covering successor.
COVERING = (
    ("owner_id", "lead_owner_keys_idx", ("id", "source_campaign_id")),
    ("source_campaign_id", "lead_campaign_keys_idx", ("id", "owner_id")),
)


def plain_index_name(column: str) -> str:
    """The name Django gave the foreign key's own index (its schema editor's
    _create_index_name for a short name)."""
    return f"leads_lead_{column}_{names_digest('leads_lead', column, length=8)}"


def index_sql(*, covering: bool) -> list[str]:
    """The statements that put the covering indexes in place of the plain ones (or back):
    this migration's, and benchmarks/funnel_write_cost.py's "before" side."""
    statements = []
    for column, name, included in COVERING:
        plain = plain_index_name(column)
        if covering:
            columns = ", ".join(f'"{c}"' for c in included)
            statements += [
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "leads_lead" ("{column}") '
                f"INCLUDE ({columns})",
                f'DROP INDEX IF EXISTS "{plain}"',
            ]
        else:
            statements += [
                f'CREATE INDEX IF NOT EXISTS "{plain}" ON "leads_lead" ("{column}")',
                f'DROP INDEX IF EXISTS "{name}"',
            ]
    return statements


def to_covering(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in index_sql(covering=True):
            schema_editor.execute(statement)


def to_plain(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in index_sql(covering=False):
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("leads", "0008_merges_aliases_import_origin")]

    operations = [migrations.RunPython(to_covering, to_plain)]
