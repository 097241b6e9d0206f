"""Milestone columns for every stage (first time a lead reached disqualified, lost, or came
back to lead), filled from history, and the covering index the cohort metrics scan
(PostgreSQL only).

The one writer (funnel.services) keeps the new columns in step from now on, like
became_prospect_at / became_customer_at; `manage.py funnel_rebuild_milestones` checks them.
"""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Min, OuterRef, Subquery

NEW_MILESTONES = {
    "became_disqualified_at": "disqualified",
    "became_lost_at": "lost",
    "returned_to_lead_at": "lead",
}


def milestones_from_history(apps, schema_editor):
    Lead = apps.get_model("leads", "Lead")
    StageChange = apps.get_model("funnel", "StageChange")

    def first_move_into(stage):
        first = (
            StageChange.objects.filter(lead=OuterRef("pk"), to_stage=stage)
            .order_by()
            .values("lead")
            .annotate(first_at=Min("at"))
            .values("first_at")
        )
        return Subquery(first[:1])

    # One UPDATE for every lead that ever left `lead`; the others keep NULL.
    Lead.objects.filter(stage_changed_at__isnull=False).update(
        **{column: first_move_into(stage) for column, stage in NEW_MILESTONES.items()}
    )


COHORT_INDEX = "lead_cohort_idx"


def create_cohort_index(apps, schema_editor):
    # The funnel metrics' cohort (funnel.metrics.selectors) reads a window's leads by an
    # index-only scan of this: creation time plus every milestone and grouping column,
    # instead of visiting a million wide rows. PostgreSQL only (INCLUDE); SQLite uses the
    # created_at index of the lead lists.
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{COHORT_INDEX}" ON "leads_lead" ("created_at") INCLUDE '
        '("became_prospect_at", "became_customer_at", "became_disqualified_at", '
        '"became_lost_at", "returned_to_lead_at", "source_campaign_id", "owner_id")'
    )


def drop_cohort_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{COHORT_INDEX}"')


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0002_lead_search_prefix_indexes"),
        ("marketing", "0003_default_scoring_rules"),
        ("funnel", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="lead",
            name="became_disqualified_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="lead",
            name="became_lost_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="lead",
            name="returned_to_lead_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(milestones_from_history, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(create_cohort_index, drop_cohort_index),
    ]
