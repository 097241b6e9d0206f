"""Trigram indexes for the substring search (leads/search.py): `%acme%`, `wonka.example`,
phone digits. PostgreSQL only, like 0002: GIN with `gin_trgm_ops` serves `LIKE '%q%'` for
three characters or more; on SQLite, the embedded default, the search scans (fine at its
scale). Each expression is exactly what the ORM writes (`UPPER(col::text)` for icontains,
`PhoneDigits` for the phone), or the planner cannot match the index.

Measured with benchmarks/search_scale.py (docs/performance.md, "Search")."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "lead_first_name_trgm_idx": 'UPPER("first_name"::text)',
    "lead_last_name_trgm_idx": 'UPPER("last_name"::text)',
    "lead_company_trgm_idx": 'UPPER("company"::text)',
    # Emails are stored lower-cased; the search compares them case-sensitively.
    "lead_email_trgm_idx": '("email"::text)',
    "lead_phone_digits_trgm_idx": "regexp_replace(\"phone\"::text, '[^0-9]', '', 'g')",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, expression in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "leads_lead" '
            f"USING gin (({expression}) gin_trgm_ops)"
        )
    # Expression indexes get statistics only from ANALYZE (see 0002).
    schema_editor.execute('ANALYZE "leads_lead"')


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("leads", "0006_lead_field_history")]

    # TrigramExtension does nothing on databases other than PostgreSQL.
    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
