"""One insert per reassigned lead, not two (PostgreSQL only).

0010 made the day rollups' lead trigger also note the lead's creation day as dirty on a
change of owner or source campaign, besides appending the keyed note. The day rollups do
not depend on the owner or the campaign, so that note only served the keyed cohorts; the
keyed note now stands for it (`cohort_pending`: the keyed reader reads that creation day
live and the next refresh rebuilds it). The lead trigger of 0005 is restored as it was, and
a trigger of its own, with a WHEN clause on owner and campaign, appends the keyed note:
a set-based reassignment of 10,000 leads writes 10,000 small rows, nothing else.
"""

import importlib

from django.db import migrations, models

_0005 = importlib.import_module("funnel.migrations.0005_metric_rollup_triggers")
_0010 = importlib.import_module("funnel.migrations.0010_keyed_summaries")

NOTE_FUNCTION = """
CREATE OR REPLACE FUNCTION funnel_keyed_lead_noted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO funnel_keyed_lead_note (lead_id, owner_was, campaign_was)
    VALUES (OLD.id, COALESCE(OLD.owner_id, 0), COALESCE(OLD.source_campaign_id, 0));
    RETURN NULL;
END $$;
"""
NOTE_TRIGGER = (
    "CREATE TRIGGER funnel_keyed_leads_upd AFTER UPDATE ON leads_lead FOR EACH ROW "
    f"WHEN ({_0010.KEYS_CHANGED}) EXECUTE FUNCTION funnel_keyed_lead_noted()"
)
MAIN_FUNCTION = next(s for s in _0005.FORWARD if "funnel_rollup_lead_changed()" in s)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    statements = [
        MAIN_FUNCTION,
        *_0010._lead_trigger(_0005.CHANGED),
        NOTE_FUNCTION,
        NOTE_TRIGGER,
    ]
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    statements = [
        "DROP TRIGGER IF EXISTS funnel_keyed_leads_upd ON leads_lead",
        "DROP FUNCTION IF EXISTS funnel_keyed_lead_noted()",
        _0010.LEAD_CHANGED,
        *_0010._lead_trigger(f"{_0005.CHANGED} OR {_0010.KEYS_CHANGED}"),
    ]
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("funnel", "0010_keyed_summaries"),
    ]

    operations = [
        migrations.AddField(
            model_name="keyedleadnote",
            name="cohort_pending",
            field=models.BooleanField(db_default=True),
        ),
        migrations.RunPython(forward, backward),
    ]
