"""The keyed note written once per statement, not once per row (PostgreSQL only).

0011's row trigger ran its function for every lead whose owner or source campaign
changed: a set-based reassignment of 10,000 leads made 10,000 function calls, each one
insert. A statement trigger with transition tables writes the same notes (one per changed
lead, the values before the change) in one insert per statement. Updates that change
neither column still run it, but it finds nothing to write: about 8 µs per one-row update
(measured with track_functions), against about half the trigger time of a set-based
reassignment saved (docs/performance.md).
"""

from django.db import migrations

NOTE_FUNCTION = """
CREATE OR REPLACE FUNCTION funnel_keyed_leads_noted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO funnel_keyed_lead_note (lead_id, owner_was, campaign_was)
    SELECT o.id, COALESCE(o.owner_id, 0), COALESCE(o.source_campaign_id, 0)
    FROM funnel_old_leads o JOIN funnel_new_leads n ON n.id = o.id
    WHERE o.owner_id IS DISTINCT FROM n.owner_id
       OR o.source_campaign_id IS DISTINCT FROM n.source_campaign_id;
    RETURN NULL;
END $$;
"""
NOTE_TRIGGER = (
    "CREATE TRIGGER funnel_keyed_leads_upd AFTER UPDATE ON leads_lead "
    "REFERENCING OLD TABLE AS funnel_old_leads NEW TABLE AS funnel_new_leads "
    "FOR EACH STATEMENT EXECUTE FUNCTION funnel_keyed_leads_noted()"
)
ROW_TRIGGER = (
    "CREATE TRIGGER funnel_keyed_leads_upd AFTER UPDATE ON leads_lead FOR EACH ROW "
    "WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id "
    "OR OLD.source_campaign_id IS DISTINCT FROM NEW.source_campaign_id) "
    "EXECUTE FUNCTION funnel_keyed_lead_noted()"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in (
        "DROP TRIGGER IF EXISTS funnel_keyed_leads_upd ON leads_lead",
        "DROP FUNCTION IF EXISTS funnel_keyed_lead_noted()",
        NOTE_FUNCTION,
        NOTE_TRIGGER,
    ):
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from importlib import import_module

    row_function = import_module("funnel.migrations.0011_keyed_note_trigger").NOTE_FUNCTION
    for statement in (
        "DROP TRIGGER IF EXISTS funnel_keyed_leads_upd ON leads_lead",
        "DROP FUNCTION IF EXISTS funnel_keyed_leads_noted()",
        row_function,
        ROW_TRIGGER,
    ):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("funnel", "0012_keyed_pool_campaigns"),
    ]

    operations = [migrations.RunPython(forward, backward)]
