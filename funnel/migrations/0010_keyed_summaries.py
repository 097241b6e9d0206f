"""Keyed summaries: cohorts per day and moves per month for each owner and each source
campaign (funnel/metrics/keyed_refresh.py, keyed_read.py), and the lead trigger of 0005
extended (PostgreSQL only): a change of owner or source campaign now also notes the lead's
creation day as dirty (its cohort moves to another key) and appends a
`funnel_keyed_lead_note` with the values before the change, one row per changed lead. The
WHEN clause still keeps score, stage and other updates free.
"""

import importlib

import django.db.models.functions.datetime
from django.db import migrations, models

_0005 = importlib.import_module("funnel.migrations.0005_metric_rollup_triggers")
KEYS = ["owner_id", "source_campaign_id"]
KEYS_CHANGED = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in KEYS)

LEAD_CHANGED = f"""
CREATE OR REPLACE FUNCTION funnel_rollup_lead_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO funnel_rollup_dirty (kind, lo, hi) VALUES
        ({_0005.COHORT}, LEAST(OLD.created_at, NEW.created_at),
         GREATEST(OLD.created_at, NEW.created_at));
    IF {KEYS_CHANGED} THEN
        INSERT INTO funnel_keyed_lead_note (lead_id, owner_was, campaign_was)
        VALUES (OLD.id, COALESCE(OLD.owner_id, 0), COALESCE(OLD.source_campaign_id, 0));
    END IF;
    RETURN NULL;
END $$;
"""


def _lead_trigger(when: str) -> list[str]:
    return [
        "DROP TRIGGER IF EXISTS funnel_rollup_leads_upd ON leads_lead",
        f"CREATE TRIGGER funnel_rollup_leads_upd AFTER UPDATE ON leads_lead FOR EACH ROW "
        f"WHEN ({when}) EXECUTE FUNCTION funnel_rollup_lead_changed()",
    ]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in [LEAD_CHANGED, *_lead_trigger(f"{_0005.CHANGED} OR {KEYS_CHANGED}")]:
        schema_editor.execute(statement)
    # The keyed summaries are empty: forget the rollups so that everything is read live
    # until the next refresh rebuilds them all (keyed ones included).
    schema_editor.execute("DELETE FROM funnel_rollup_state")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    function = next(s for s in _0005.FORWARD if "funnel_rollup_lead_changed()" in s)
    for statement in [*_lead_trigger(_0005.CHANGED), function]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("funnel", "0009_credit_rollup_triggers"),
    ]

    operations = [
        migrations.CreateModel(
            name="KeyedMonth",
            fields=[
                ("month", models.DateField(primary_key=True, serialize=False)),
                ("built_at", models.DateTimeField()),
            ],
            options={
                "db_table": "funnel_keyed_month",
            },
        ),
        migrations.CreateModel(
            name="KeyedCohort",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "day",
                        "dim",
                        "key",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("day", models.DateField()),
                ("dim", models.SmallIntegerField()),
                ("key", models.BigIntegerField()),
                ("cohort", models.IntegerField()),
                ("reached_lead", models.IntegerField()),
                ("reached_prospect", models.IntegerField()),
                ("reached_customer", models.IntegerField()),
                ("reached_disqualified", models.IntegerField()),
                ("reached_lost", models.IntegerField()),
            ],
            options={
                "db_table": "funnel_keyed_cohort",
                "indexes": [models.Index(fields=["dim", "key", "day"], name="keyed_cohort_key")],
            },
        ),
        migrations.CreateModel(
            name="KeyedFlow",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "month",
                        "dim",
                        "key",
                        "to_code",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("month", models.DateField()),
                ("dim", models.SmallIntegerField()),
                ("key", models.BigIntegerField()),
                ("to_code", models.SmallIntegerField()),
                ("moves", models.IntegerField()),
            ],
            options={
                "db_table": "funnel_keyed_flow",
                "indexes": [models.Index(fields=["dim", "key", "month"], name="keyed_flow_key")],
            },
        ),
        migrations.CreateModel(
            name="KeyedLeadNote",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("lead_id", models.BigIntegerField()),
                ("owner_was", models.BigIntegerField()),
                ("campaign_was", models.BigIntegerField()),
                (
                    "noted_at",
                    models.DateTimeField(db_default=django.db.models.functions.datetime.Now()),
                ),
            ],
            options={
                "db_table": "funnel_keyed_lead_note",
                "indexes": [models.Index(fields=["lead_id", "id"], name="keyed_lead_note_lead")],
            },
        ),
        migrations.CreateModel(
            name="KeyedStageTime",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "month",
                        "dim",
                        "key",
                        "from_code",
                        "bucket",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("month", models.DateField()),
                ("dim", models.SmallIntegerField()),
                ("key", models.BigIntegerField()),
                ("from_code", models.SmallIntegerField()),
                ("bucket", models.SmallIntegerField()),
                ("moves", models.IntegerField()),
                ("durations", models.BinaryField()),
            ],
            options={
                "db_table": "funnel_keyed_stage_time",
                "indexes": [
                    models.Index(fields=["dim", "key", "month"], name="keyed_stage_time_key")
                ],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
