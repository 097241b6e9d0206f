"""Triggers that note every write campaign revenue credits depend on (PostgreSQL only).

marketing/credit_rollup.py reads a close day from `funnel_rollup_credit` only when no note
in `funnel_rollup_credit_dirty` names it, so a write is never missed whichever code path
made it (the deal services, an import, a merge, a lead deleted with its deals, psql):

- deals inserted or deleted: one note per statement, the close days of the won rows
  (statement-level triggers with transition tables);
- a deal updated: one note per row, only when it is or was won and its status, amount,
  currency, close date or time, or lead really change (the WHEN clause keeps every other
  edit, a stage move of an open deal, a new owner, free);
- touches inserted or deleted: one note per statement, the array of their leads (those
  with a campaign); a touch updated: one note per row when its campaign, time or lead
  change. A lead note stands for the close days of that lead's won deals, resolved when
  read, so a touch back-dated by an import reaches deals closed long before it was written,
  and a deal won beside the touch's transaction is resolved after both committed;
- a lead whose source campaign changes (first touch and the fallback): one note per row;
- TRUNCATE of deals or touches: the state row goes, so everything is read live until rebuilt.

Also drops the rollups' state row, so the next refresh builds the new summary whole (until
then every figure is read live).
"""

from django.db import migrations

DIRTY = "funnel_rollup_credit_dirty"
DEAL_CHANGED = (
    "(OLD.status = 'won' OR NEW.status = 'won') AND "
    "(OLD.status, OLD.amount, OLD.currency, OLD.closed_on, OLD.closed_at, OLD.lead_id) "
    "IS DISTINCT FROM "
    "(NEW.status, NEW.amount, NEW.currency, NEW.closed_on, NEW.closed_at, NEW.lead_id)"
)
TOUCH_CHANGED = (
    "(OLD.campaign_id IS NOT NULL OR NEW.campaign_id IS NOT NULL) AND "
    "(OLD.campaign_id, OLD.at, OLD.lead_id) IS DISTINCT FROM "
    "(NEW.campaign_id, NEW.at, NEW.lead_id)"
)


def _function(name: str, body: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {body};
    RETURN NULL;
END $$;
"""


def _deal_days(rows: str) -> str:
    return (
        f"INSERT INTO {DIRTY} (closed_on) "
        f"SELECT DISTINCT closed_on FROM {rows} WHERE status = 'won'"
    )


def _touch_leads(rows: str) -> str:
    return (
        f"INSERT INTO {DIRTY} (leads) SELECT array_agg(lead_id) FROM {rows} "
        "WHERE campaign_id IS NOT NULL HAVING count(*) > 0"
    )


FUNCTIONS = {
    "funnel_credit_deals_new": _deal_days("new_rows"),
    "funnel_credit_deals_old": _deal_days("old_rows"),
    "funnel_credit_deal_changed": (
        f"INSERT INTO {DIRTY} (closed_on) SELECT DISTINCT day FROM (VALUES "
        "(CASE WHEN OLD.status = 'won' THEN OLD.closed_on END), "
        "(CASE WHEN NEW.status = 'won' THEN NEW.closed_on END)) AS v(day) "
        "WHERE day IS NOT NULL"
    ),
    "funnel_credit_touches_new": _touch_leads("new_rows"),
    "funnel_credit_touches_old": _touch_leads("old_rows"),
    "funnel_credit_touch_changed": (
        f"INSERT INTO {DIRTY} (leads) VALUES (ARRAY[OLD.lead_id, NEW.lead_id])"
    ),
    "funnel_credit_lead_changed": f"INSERT INTO {DIRTY} (leads) VALUES (ARRAY[NEW.id])",
}

TRIGGERS = {
    "sales_deal": {
        "funnel_credit_deals_ins": "AFTER INSERT ON sales_deal REFERENCING NEW TABLE AS "
        "new_rows FOR EACH STATEMENT EXECUTE FUNCTION funnel_credit_deals_new()",
        "funnel_credit_deals_del": "AFTER DELETE ON sales_deal REFERENCING OLD TABLE AS "
        "old_rows FOR EACH STATEMENT EXECUTE FUNCTION funnel_credit_deals_old()",
        "funnel_credit_deals_upd": f"AFTER UPDATE ON sales_deal FOR EACH ROW "
        f"WHEN ({DEAL_CHANGED}) EXECUTE FUNCTION funnel_credit_deal_changed()",
        "funnel_credit_deals_truncate": "AFTER TRUNCATE ON sales_deal "
        "FOR EACH STATEMENT EXECUTE FUNCTION funnel_rollup_forget()",
    },
    "marketing_touch": {
        "funnel_credit_touches_ins": "AFTER INSERT ON marketing_touch REFERENCING NEW TABLE "
        "AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION funnel_credit_touches_new()",
        "funnel_credit_touches_del": "AFTER DELETE ON marketing_touch REFERENCING OLD TABLE "
        "AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION funnel_credit_touches_old()",
        "funnel_credit_touches_upd": f"AFTER UPDATE ON marketing_touch FOR EACH ROW "
        f"WHEN ({TOUCH_CHANGED}) EXECUTE FUNCTION funnel_credit_touch_changed()",
        "funnel_credit_touches_truncate": "AFTER TRUNCATE ON marketing_touch "
        "FOR EACH STATEMENT EXECUTE FUNCTION funnel_rollup_forget()",
    },
    "leads_lead": {
        "funnel_credit_leads_upd": "AFTER UPDATE ON leads_lead FOR EACH ROW "
        "WHEN (OLD.source_campaign_id IS DISTINCT FROM NEW.source_campaign_id) "
        "EXECUTE FUNCTION funnel_credit_lead_changed()",
    },
}


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE TABLE IF NOT EXISTS {DIRTY} "
        "(id bigserial PRIMARY KEY, closed_on date, leads bigint[])"
    )
    for name, body in FUNCTIONS.items():
        schema_editor.execute(_function(name, body))
    for table, triggers in TRIGGERS.items():
        for name, definition in triggers.items():
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            schema_editor.execute(f"CREATE TRIGGER {name} {definition}")
    # Built whole by the next refresh; read live until then.
    schema_editor.execute("DELETE FROM funnel_rollup_state")


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, triggers in TRIGGERS.items():
        for name in triggers:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    for name in FUNCTIONS:
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")
    schema_editor.execute(f"DROP TABLE IF EXISTS {DIRTY}")


class Migration(migrations.Migration):
    dependencies = [
        ("funnel", "0008_credit_rollups"),
        ("leads", "0008_merges_aliases_import_origin"),
        ("marketing", "0014_touch_email_kinds"),
        ("sales", "0011_deal_history_metric_indexes"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
