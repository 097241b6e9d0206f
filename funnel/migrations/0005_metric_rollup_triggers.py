"""Triggers that note every write the metric rollups depend on (PostgreSQL only).

funnel/metrics/rollups.py reads a day from the rollups only when no note in
`funnel_rollup_dirty` covers it, so a write is never missed whichever code path made it
(the one writer, an import, a seed's COPY, a lead deleted with its history, psql):

- stage changes: one note per statement, the range of the rows' `at` (statement-level
  triggers with transition tables: a bulk move of 2,000 rows writes one note);
- leads inserted or deleted: one note per statement, the range of `created_at`;
- a lead whose milestones (first arrival in each stage) or `created_at` change: one note
  per row, only when one of those columns really changes (the WHEN clause keeps score and
  owner updates free);
- TRUNCATE of either table: the state row goes, so everything is read live until rebuilt.
SQLite, the embedded default, reads everything live and needs none of this.
"""

from django.db import migrations

MILESTONES = [
    "created_at",
    "became_prospect_at",
    "became_customer_at",
    "became_disqualified_at",
    "became_lost_at",
    "returned_to_lead_at",
]
MOVES, COHORT = 1, 2


def _range_function(name: str, kind: int, column: str, rows: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO funnel_rollup_dirty (kind, lo, hi)
    SELECT {kind}, min({column}), max({column}) FROM {rows} HAVING count(*) > 0;
    RETURN NULL;
END $$;
"""


CHANGED = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in MILESTONES)

FORWARD = [
    _range_function("funnel_rollup_moves_new", MOVES, "at", "new_rows"),
    _range_function("funnel_rollup_moves_old", MOVES, "at", "old_rows"),
    _range_function("funnel_rollup_leads_new", COHORT, "created_at", "new_rows"),
    _range_function("funnel_rollup_leads_old", COHORT, "created_at", "old_rows"),
    f"""
CREATE OR REPLACE FUNCTION funnel_rollup_lead_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO funnel_rollup_dirty (kind, lo, hi) VALUES
        ({COHORT}, LEAST(OLD.created_at, NEW.created_at),
         GREATEST(OLD.created_at, NEW.created_at));
    RETURN NULL;
END $$;
""",
    """
CREATE OR REPLACE FUNCTION funnel_rollup_forget() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM funnel_rollup_state;
    RETURN NULL;
END $$;
""",
    # Stage changes: inserts, deletes (a lead deleted with its history) and updates (a
    # repair of `from_stage_entered_at`) note both the old and the new range.
    "CREATE TRIGGER funnel_rollup_moves_ins AFTER INSERT ON funnel_stagechange "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION funnel_rollup_moves_new()",
    "CREATE TRIGGER funnel_rollup_moves_del AFTER DELETE ON funnel_stagechange "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION funnel_rollup_moves_old()",
    "CREATE TRIGGER funnel_rollup_moves_upd_new AFTER UPDATE ON funnel_stagechange "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION funnel_rollup_moves_new()",
    "CREATE TRIGGER funnel_rollup_moves_upd_old AFTER UPDATE ON funnel_stagechange "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION funnel_rollup_moves_old()",
    "CREATE TRIGGER funnel_rollup_moves_truncate AFTER TRUNCATE ON funnel_stagechange "
    "FOR EACH STATEMENT EXECUTE FUNCTION funnel_rollup_forget()",
    # Leads.
    "CREATE TRIGGER funnel_rollup_leads_ins AFTER INSERT ON leads_lead "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION funnel_rollup_leads_new()",
    "CREATE TRIGGER funnel_rollup_leads_del AFTER DELETE ON leads_lead "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION funnel_rollup_leads_old()",
    f"CREATE TRIGGER funnel_rollup_leads_upd AFTER UPDATE ON leads_lead FOR EACH ROW "
    f"WHEN ({CHANGED}) EXECUTE FUNCTION funnel_rollup_lead_changed()",
    "CREATE TRIGGER funnel_rollup_leads_truncate AFTER TRUNCATE ON leads_lead "
    "FOR EACH STATEMENT EXECUTE FUNCTION funnel_rollup_forget()",
]

TRIGGERS = {
    "funnel_stagechange": [
        "funnel_rollup_moves_ins",
        "funnel_rollup_moves_del",
        "funnel_rollup_moves_upd_new",
        "funnel_rollup_moves_upd_old",
        "funnel_rollup_moves_truncate",
    ],
    "leads_lead": [
        "funnel_rollup_leads_ins",
        "funnel_rollup_leads_del",
        "funnel_rollup_leads_upd",
        "funnel_rollup_leads_truncate",
    ],
}
FUNCTIONS = [
    "funnel_rollup_moves_new",
    "funnel_rollup_moves_old",
    "funnel_rollup_leads_new",
    "funnel_rollup_leads_old",
    "funnel_rollup_lead_changed",
    "funnel_rollup_forget",
]


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in FORWARD:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, names in TRIGGERS.items():
        for name in names:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    for name in FUNCTIONS:
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")


class Migration(migrations.Migration):
    dependencies = [
        ("funnel", "0004_metric_rollups"),
        ("leads", "0004_list_sort_indexes"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
