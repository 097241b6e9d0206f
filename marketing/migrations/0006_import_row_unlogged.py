"""The import staging table is UNLOGGED on PostgreSQL: no write-ahead log for rows that
live only while their job runs.

A million-line import writes every line to `marketing_import_row` and deletes it after the
merge; logging those writes doubled the disk traffic of an import (the staging rows and
their WAL on top of the leads' own). An unlogged table is emptied after a server crash,
which costs nothing here: a job interrupted by a crash is reclaimed after its stale
timeout and re-reads its file from the start, deleting its staged rows first
(marketing/imports/services.py, `import_job_run`). Unlogged tables are not replicated, and
need not be: only the worker that staged the rows reads them, on the primary.
"""

from django.db import migrations


def unlogged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE marketing_import_row SET UNLOGGED")


def logged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE marketing_import_row SET LOGGED")


class Migration(migrations.Migration):
    dependencies = [("marketing", "0005_scoring_watermark_and_touch_recorded_at")]

    operations = [migrations.RunPython(unlogged, logged)]
