"""Keyed month rows of stage time gain, per key and stage left, one row holding every
duration of the month (bucket -1, keyed_sql.WHOLE), which narrow reports read, under a
partial index. Built months lack those rows, so they are forgotten: until the next
refresh rebuilds them, readers take their days from the keyed day rows (exact, slower)."""

from django.db import migrations, models


def forget_built_months(apps, schema_editor):
    apps.get_model("funnel", "KeyedMonth").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("funnel", "0015_keyed_joint"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="keyedstagetime",
            index=models.Index(
                condition=models.Q(("bucket__lt", 0)),
                fields=["dim", "key", "month"],
                name="keyed_stage_time_whole",
            ),
        ),
        migrations.RunPython(forget_built_months, migrations.RunPython.noop),
    ]
