"""Covering indexes for campaign results' revenue credits (PostgreSQL only).

marketing.metrics credits each deal won in a window to campaigns (first touch, last
touch, linear over the lead's touches with a campaign at or before the close). At
1,000,000 leads a year holds ~170,000 won deals, each looked up in the touches three
times: these let every lookup be an index-only scan (docs/performance.md, campaign ROI).

- `touch_credit_idx`: a lead's touches with a campaign, newest first, with the campaign;
- `deal_won_closed_idx`: won deals by close date, with what the credit needs.

They live here, with the funnel metrics' other PostgreSQL-only indexes, because they
serve the dashboards; the tables are marketing's and sales'.
"""

from django.db import migrations

INDEXES = {
    "touch_credit_idx": "ON marketing_touch (lead_id, at DESC, id DESC) INCLUDE (campaign_id) "
    "WHERE campaign_id IS NOT NULL",
    "deal_won_closed_idx": "ON sales_deal (closed_on) "
    "INCLUDE (lead_id, amount, currency, closed_at) WHERE status = 'won'",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, definition in INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("funnel", "0006_stagechange_merged_from"),
        ("marketing", "0014_touch_email_kinds"),
        ("sales", "0010_teams"),
    ]

    operations = [migrations.RunPython(create, drop)]
