"""A trigram index for the header search's deals (search.selectors): `title ILIKE '%q%'`
as the ORM writes it. PostgreSQL only, as leads 0007 (which installs pg_trgm)."""

from django.db import migrations

INDEX = "deal_title_trgm_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "sales_deal" '
            'USING gin ((UPPER("title"::text)) gin_trgm_ops)'
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0002_enrolment_progress"),
        ("leads", "0007_lead_search_trigram_indexes"),
    ]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
