"""The merge policy (`leads.merge_policy`) for the CSV import, as SQL over staged rows.

Per column the importer chooses `overwrite`, `fill_empty`, `skip` or `auto` (the default:
overwrite leads that are unowned or the importer's, fill only the empty fields of leads
someone else owns). A blank cell never overwrites. Each mapped field becomes a `FieldRule`:
a boolean SQL expression saying whether the staged value `s.<col>` replaces the lead's
`L.<col>`, and the old and new values as text for the field history. The same rules drive
the UPDATE, its history INSERT ... SELECT, and the dry run's diff, so what a dry run shows
is what a run writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import connection

from leads.merge_policy import MergeMode
from leads.models import ChangeSource, Lead, LeadChange
from marketing.imports.reader import STAGE_COLUMNS

TEXT_FIELDS = [c for c in STAGE_COLUMNS if c not in ("marketing_consent", "stage", "created_at")]
# The columns a mode can be chosen for (email is the key, stage has its own writer).
MODE_FIELDS = [*[f for f in TEXT_FIELDS if f != "email"], "marketing_consent"]
MODES = [MergeMode.AUTO, MergeMode.OVERWRITE, MergeMode.FILL_EMPTY, MergeMode.SKIP]
HISTORY = LeadChange._meta.db_table
LEAD = Lead._meta.db_table
DRY_RUN_SAMPLE = 200


@dataclass(frozen=True)
class FieldRule:
    field: str
    changed: str  # SQL boolean: the staged value replaces the lead's
    old: str  # SQL text: the lead's value
    new: str  # SQL text: the staged value
    column: str  # the lead column written (quoted)


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def field_rules(
    *,
    mapped: list[str],
    modes: Mapping[str, str],
    importer_id: int | None,
    campaign_id: int | None,
    lead: str,
) -> list[FieldRule]:
    """The rules for the mapped fields; `lead` is how the SQL names the lead row (an
    alias, or the table itself in an UPDATE)."""
    # Owned by someone else: `auto` only fills that lead's empty fields.
    if importer_id is None:
        others = f"{lead}.owner_id IS NOT NULL"
    else:
        others = f"({lead}.owner_id IS NOT NULL AND {lead}.owner_id <> {int(importer_id)})"
    rules = []
    for field in MODE_FIELDS:
        if field not in mapped:
            continue
        mode = MergeMode(modes.get(field) or MergeMode.AUTO)
        if mode == MergeMode.SKIP:
            continue
        column = _qn(field)
        if field == "marketing_consent":
            given = f"(s.{column} IS NOT NULL AND s.{column} <> {lead}.{column})"
            empty = f"{lead}.{column} = FALSE"
            old = f"CASE WHEN {lead}.{column} THEN 'true' ELSE 'false' END"
            new = f"CASE WHEN s.{column} THEN 'true' ELSE 'false' END"
        else:
            given = f"(s.{column} <> '' AND s.{column} <> {lead}.{column})"
            empty = f"{lead}.{column} = ''"
            old, new = f"{lead}.{column}", f"s.{column}"
        changed = {
            MergeMode.OVERWRITE: given,
            MergeMode.FILL_EMPTY: f"({given} AND {empty})",
            MergeMode.AUTO: f"({given} AND (NOT {others} OR {empty}))",
        }[mode]
        rules.append(FieldRule(field, changed, old, new, column))
    if campaign_id is not None:
        # First touch wins: a campaign only fills a lead that has none.
        rules.append(
            FieldRule(
                "source_campaign",
                f"{lead}.source_campaign_id IS NULL",
                "NULL",
                f"'{int(campaign_id)}'",
                _qn("source_campaign_id"),
            )
        )
    return rules


def modes_clean(modes: Mapping[str, str] | None) -> dict[str, str]:
    """Validated column modes: known fields, known modes; `auto` is left out (default)."""
    from django.core.exceptions import ValidationError

    cleaned = {}
    for field, mode in (modes or {}).items():
        if field not in MODE_FIELDS or mode not in MODES:
            raise ValidationError({"column_modes": f"Unknown field or mode: {field}={mode}."})
        if mode != MergeMode.AUTO:
            cleaned[field] = str(mode)
    return cleaned


def _field_switch(rules: list[FieldRule], attribute: str) -> str:
    whens = " ".join(f"WHEN '{rule.field}' THEN {getattr(rule, attribute)}" for rule in rules)
    return f"CASE f.name {whens} END"


def _field_names(rules: list[FieldRule]) -> str:
    return " UNION ALL ".join(f"SELECT '{rule.field}' AS name" for rule in rules)


def history_insert(
    *, rules: list[FieldRule], latest: str, latest_params: list, job_id: int, importer_id, now
) -> int:
    """One INSERT ... SELECT of a history row per field the UPDATE is about to change
    (run just before it, on the same locked rows)."""
    if not rules:
        return 0
    sql = (
        f"INSERT INTO {_qn(HISTORY)} (lead_id, field, old_value, new_value, at, actor_id, "
        "source, request_id, import_job_id) "
        f"SELECT l.id, f.name, {_field_switch(rules, 'old')}, {_field_switch(rules, 'new')}, "
        f"%s, %s, %s, '', %s FROM {latest} JOIN {_qn(LEAD)} l ON l.email = s.email "
        f"CROSS JOIN ({_field_names(rules)}) f WHERE {_field_switch(rules, 'changed')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, importer_id, ChangeSource.IMPORT.value, job_id, *latest_params])
        return cursor.rowcount


def dry_run_diff(*, rules: list[FieldRule], latest: str, latest_params: list) -> dict:
    """What a run would change in existing leads: counts per field, how many leads, and
    for the first DRY_RUN_SAMPLE of them (by address) each field's old -> new."""
    if not rules:
        return {"leads_changed": 0, "counts": {}, "leads": []}
    any_change = " OR ".join(rule.changed for rule in rules)
    join = f"FROM {latest} JOIN {_qn(LEAD)} l ON l.email = s.email"
    sums = ", ".join(f"SUM(CASE WHEN {rule.changed} THEN 1 ELSE 0 END)" for rule in rules)
    columns = ", ".join(
        f"CASE WHEN {rule.changed} THEN 1 ELSE 0 END, {rule.old}, {rule.new}" for rule in rules
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), {sums} {join} WHERE {any_change}", latest_params)
        total, *counts = cursor.fetchone()
        cursor.execute(
            f"SELECT l.id, l.email, {columns} {join} WHERE {any_change} "
            f"ORDER BY l.email LIMIT {DRY_RUN_SAMPLE}",
            latest_params,
        )
        sample = []
        for lead_id, email, *values in cursor.fetchall():
            changes = {
                rule.field: [values[3 * n + 1], values[3 * n + 2]]
                for n, rule in enumerate(rules)
                if values[3 * n]
            }
            sample.append({"id": lead_id, "email": email, "changes": changes})
    return {
        "leads_changed": total,
        "counts": {rule.field: n or 0 for rule, n in zip(rules, counts, strict=True) if n},
        "leads": sample,
    }
