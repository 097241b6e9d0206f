"""Leads migration 0009: on PostgreSQL the owner's and the campaign's leads, with their id
and both keys, come from covering indexes, which replace the foreign keys' own indexes
(the keyed reader's narrow reports join the day's moves to them)."""

import importlib

import pytest
from django.db import connection

from leads.models import Lead
from tests.support import postgres_only

pytestmark = [postgres_only, pytest.mark.django_db]

migration = importlib.import_module("leads.migrations.0009_lead_key_covering_indexes")


def _indexes() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'leads_lead'")
        return dict(cursor.fetchall())


def test_covering_indexes_replace_the_foreign_keys_own():
    indexes = _indexes()
    for column, name, included in migration.COVERING:
        assert f"({column}) INCLUDE ({', '.join(included)})" in indexes[name]
        # The plain index is gone, under the name Django gave it.
        with connection.schema_editor() as editor:
            plain = editor._create_index_name(Lead._meta.db_table, [column])
        assert plain == migration.plain_index_name(column)
        assert plain not in indexes


def test_the_migration_reverses_to_the_plain_indexes():
    with connection.schema_editor(atomic=True) as editor:
        migration.to_plain(None, editor)
        plain = _indexes()
        migration.to_covering(None, editor)
    for column, name, _included in migration.COVERING:
        assert migration.plain_index_name(column) in plain
        assert name not in plain
    assert _indexes().keys() >= {name for _column, name, _included in migration.COVERING}
