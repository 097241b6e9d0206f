from django.conf import settings
from django.db import migrations


def create_default_rules(apps, schema_editor):
    # The rules row always exists, so readers never create it; the threshold starts at the
    # deployment's FUNNEL_MQL_THRESHOLD and marketing edits it from then on.
    ScoringRules = apps.get_model("marketing", "ScoringRules")
    ScoringRules.objects.get_or_create(
        id=1,
        defaults={
            "mql_threshold": getattr(settings, "FUNNEL_MQL_THRESHOLD", 50.0),
            "half_life_days": 30.0,
            "touch_points": {
                "form_submit": 10.0,
                "page_visit": 1.0,
                "email_open": 1.0,
                "email_click": 3.0,
                "content_download": 5.0,
                "webinar_attended": 15.0,
                "event_attended": 15.0,
            },
        },
    )


class Migration(migrations.Migration):
    dependencies = [("marketing", "0002_spend_touch_scoring_imports")]

    operations = [migrations.RunPython(create_default_rules, migrations.RunPython.noop)]
