"""UTM names become unique in any letter case.

Before this, "spring-x" and "SPRING-x" could both exist, while touches looked names up in
lower case. If such names already exist the constraint cannot be added: the migration stops
before changing anything and lists the clashing campaigns, so a person decides which name
each keeps (the touches already recorded keep the campaign they were credited to).
"""

from collections import defaultdict
from collections.abc import Iterable

import django.db.models.functions.text
from django.db import migrations, models


class UtmNameClash(Exception):
    pass


def utm_name_clash_report(campaigns: Iterable[tuple[int, str, str]]) -> str | None:
    """The message for campaigns (id, name, UTM name) whose UTM names are equal in any
    letter case, or None when there are none."""
    groups: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for pk, name, utm in campaigns:
        groups[utm.lower()].append((pk, name, utm))
    clashes = [sorted(rows) for _, rows in sorted(groups.items()) if len(rows) > 1]
    if not clashes:
        return None
    lines = [
        f"{len(clashes)} UTM name(s) are used by more than one campaign when letter case is "
        "ignored; UTM names are now unique in any case:"
    ]
    for rows in clashes:
        named = ", ".join(f"id {pk} {name!r} ({utm!r})" for pk, name, utm in rows)
        lines.append(f"  - {rows[0][2].lower()!r}: {named}")
    lines.append(
        "Give all but one campaign of each group another UTM name (campaign page > Edit, "
        "the admin, or PATCH /api/v1/campaigns/<id>/ with a new utm_campaign), then run "
        "`manage.py migrate` again. Nothing was changed."
    )
    return "\n".join(lines)


def check_no_clashes(apps, schema_editor) -> None:
    Campaign = apps.get_model("marketing", "Campaign")
    rows = Campaign.objects.using(schema_editor.connection.alias).values_list(
        "pk", "name", "utm_campaign"
    )
    report = utm_name_clash_report(rows.iterator())
    if report:
        raise UtmNameClash(report)


class Migration(migrations.Migration):
    dependencies = [("marketing", "0006_import_row_unlogged")]

    operations = [
        migrations.RunPython(check_no_clashes, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="campaign",
            name="utm_campaign",
            field=models.SlugField(
                db_index=False,
                help_text="utm_campaign value",
                max_length=100,
                verbose_name="UTM campaign name",
            ),
        ),
        migrations.AddConstraint(
            model_name="campaign",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("utm_campaign"),
                name="campaign_utm_name_unique",
                violation_error_message="Another campaign already uses this UTM name.",
            ),
        ),
    ]
