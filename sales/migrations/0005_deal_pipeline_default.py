"""The default pipeline and loss reasons; every existing deal gets a stage and a history
that starts with its creation: open deals in the first stage, won and lost ones moved
from it to the won/lost stage on their close (set-based, any number of deals)."""

from django.db import migrations
from django.db.models import F

STAGES = [
    # name, probability (%), won, lost, forecast category
    ("Qualification", 10, False, False, "pipeline"),
    ("Demo", 25, False, False, "pipeline"),
    ("Proposal", 50, False, False, "best_case"),
    ("Negotiation", 80, False, False, "commit"),
    ("Won", 100, True, False, "closed"),
    ("Lost", 0, False, True, "omitted"),
]
LOST_REASONS = ["Price", "Timing", "Competitor", "No budget", "No decision", "Product fit", "Other"]
REASON = "Pipeline introduced: history starts at the deal's creation."


def forwards(apps, schema_editor):
    Pipeline = apps.get_model("sales", "Pipeline")
    DealStage = apps.get_model("sales", "DealStage")
    LostReason = apps.get_model("sales", "LostReason")
    Deal = apps.get_model("sales", "Deal")
    pipeline = Pipeline.objects.create(name="Sales", is_default=True)
    stages = {
        name: DealStage.objects.create(
            pipeline=pipeline,
            name=name,
            position=position,
            probability=probability,
            is_won=won,
            is_lost=lost,
            forecast_category=category,
        )
        for position, (name, probability, won, lost, category) in enumerate(STAGES, start=1)
    }
    reasons = {
        name: LostReason.objects.create(name=name, position=position)
        for position, name in enumerate(LOST_REASONS, start=1)
    }
    first, won, lost = stages["Qualification"], stages["Won"], stages["Lost"]
    Deal.objects.filter(status="open").update(stage=first, stage_changed_at=F("created_at"))
    Deal.objects.filter(status="won").update(stage=won, stage_changed_at=F("closed_at"))
    Deal.objects.filter(status="lost").update(
        stage=lost, stage_changed_at=F("closed_at"), loss_reason=reasons["Other"]
    )
    quote = schema_editor.quote_name
    columns = (
        "deal_id, from_stage_id, to_stage_id, at, from_stage_entered_at, actor_id, cause, "
        "reason, amount, expected_close_on, lost_reason_id"
    )
    table = quote("sales_dealstagechange")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT id, NULL, %s, created_at, NULL, NULL, "
            f"'import', %s, amount, expected_close_on, NULL FROM {quote('sales_deal')} "
            "ORDER BY id",
            [first.pk, REASON],
        )
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT id, %s, stage_id, closed_at, created_at, "
            f"NULL, 'import', %s, amount, expected_close_on, loss_reason_id "
            f"FROM {quote('sales_deal')} WHERE status <> 'open' ORDER BY id",
            [first.pk, REASON],
        )


def backwards(apps, schema_editor):
    apps.get_model("sales", "DealStageChange").objects.all().delete()
    apps.get_model("sales", "Deal").objects.update(
        stage=None, stage_changed_at=None, loss_reason=None
    )
    apps.get_model("sales", "DealStage").objects.all().delete()
    apps.get_model("sales", "LostReason").objects.all().delete()
    apps.get_model("sales", "Pipeline").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("sales", "0004_deal_pipeline")]

    operations = [migrations.RunPython(forwards, backwards)]
