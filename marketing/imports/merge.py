"""Merging staged rows into leads, set-based: a few statements whatever the row count.

Upsert by email: an address already in Funnel is updated (only with the file's non-blank
values, and only if something changes), a new one is inserted. When an address appears on
several lines the last one wins. The SQL below is the same on PostgreSQL and SQLite
(3.33+: UPDATE ... FROM, INSERT ... ON CONFLICT).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from funnel.services import leads_move_bulk
from funnel.stages import Cause, Stage
from leads.models import Lead
from marketing.imports.field_rules import dry_run_diff, field_rules, history_insert
from marketing.imports.reader import STAGE_COLUMNS
from marketing.models import Campaign, ImportRow, Touch

logger = logging.getLogger("marketing.imports.services")
LEAD = Lead._meta.db_table
STAGING = ImportRow._meta.db_table
TOUCH = Touch._meta.db_table
TEXT_FIELDS = [c for c in STAGE_COLUMNS if c not in ("marketing_consent", "stage", "created_at")]


@dataclass(frozen=True)
class Counts:
    distinct: int
    existing: int


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _latest_rows(job_id: int, *, repeated: bool = True) -> tuple[str, list]:
    """The last line of each address, as a derived table `s`. When the file repeats no
    address (`repeated` False, the usual case) every staged line is its address's last."""
    if not repeated:
        return f"(SELECT * FROM {_qn(STAGING)} WHERE job_id = %s) s", [job_id]
    if connection.vendor == "postgresql":
        # One sort, instead of a hash aggregate and an index probe per line.
        sql = (
            f"(SELECT DISTINCT ON (email) * FROM {_qn(STAGING)} WHERE job_id = %s "
            "ORDER BY email, line_no DESC) s"
        )
        return sql, [job_id]
    sql = (
        f"(SELECT * FROM {_qn(STAGING)} WHERE job_id = %s AND line_no IN "
        f"(SELECT MAX(line_no) FROM {_qn(STAGING)} WHERE job_id = %s GROUP BY email)) s"
    )
    return sql, [job_id, job_id]


def staging_analyze() -> None:
    """Fresh planner statistics once the rows are staged: without them PostgreSQL takes the
    staging table for empty and plans nested loops that never finish on a million rows."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {_qn(STAGING)}")


def staged_counts(*, job_id: int, existing: bool = True) -> Counts:
    """Distinct addresses staged, and (if asked) how many of them are already leads."""
    if not existing:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FROM (SELECT email FROM {_qn(STAGING)} WHERE job_id = %s "
                "GROUP BY email) addresses",
                [job_id],
            )
            return Counts(distinct=cursor.fetchone()[0], existing=0)
    latest, params = _latest_rows(job_id)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), COUNT(l.id) FROM {latest} "
            f"LEFT JOIN {_qn(LEAD)} l ON l.email = s.email",
            params,
        )
        distinct, found = cursor.fetchone()
    return Counts(distinct=distinct, existing=found)


def leads_lock_existing(*, job_id: int) -> int:
    """Lock the file's leads that exist, in address order (as every other writer does, so
    a bulk upsert or a capture racing with the import queues instead of deadlocking), and
    return how many there are. SQLite has no row locks: its writers are serialised."""
    sql = (
        f"SELECT l.id FROM {_qn(LEAD)} l WHERE l.email IN "
        f"(SELECT email FROM {_qn(STAGING)} WHERE job_id = %s) ORDER BY l.email"
    )
    if connection.vendor == "postgresql":
        sql = f"SELECT COUNT(*) FROM ({sql} FOR UPDATE OF l) locked"
    else:
        sql = f"SELECT COUNT(*) FROM ({sql}) locked"
    with connection.cursor() as cursor:
        cursor.execute(sql, [job_id])
        return cursor.fetchone()[0]


def leads_update_existing(
    *,
    job_id: int,
    mapped: list[str],
    campaign: Campaign | None,
    now: datetime,
    repeated: bool,
    modes: Mapping[str, str] | None = None,
    importer_id: int | None = None,
) -> int:
    """Update leads whose address is in the file by the merge policy's column modes,
    recording each changed field in the leads' history first; returns how many changed."""
    lead = _qn(LEAD)
    rules = field_rules(
        mapped=mapped,
        modes=modes or {},
        importer_id=importer_id,
        campaign_id=campaign.pk if campaign else None,
        lead=lead,
    )
    if not rules:
        return 0
    latest, latest_params = _latest_rows(job_id, repeated=repeated)
    started = time.monotonic()
    recorded = history_insert(
        rules=field_rules(
            mapped=mapped,
            modes=modes or {},
            importer_id=importer_id,
            campaign_id=campaign.pk if campaign else None,
            lead="l",
        ),
        latest=latest,
        latest_params=latest_params,
        job_id=job_id,
        importer_id=importer_id,
        now=now,
    )
    logger.info(
        "Import %s: %s field changes recorded in %.1f s",
        job_id,
        recorded,
        time.monotonic() - started,
    )
    sets, params = [], []
    for rule in rules:
        sets.append(
            f"{rule.column} = CASE WHEN {rule.changed} THEN s.{rule.column} ELSE "
            f"{lead}.{rule.column} END"
            if rule.field != "source_campaign"
            else f"{rule.column} = COALESCE({lead}.{rule.column}, {int(campaign.pk)})"
        )
        if rule.field == "marketing_consent":
            # Consent given now is stamped now; consent withdrawn clears the time.
            sets.append(
                f"marketing_consent_at = CASE WHEN {rule.changed} THEN (CASE WHEN "
                f"s.marketing_consent THEN %s ELSE NULL END) ELSE {lead}.marketing_consent_at END"
            )
            params.append(now)
    changed = " OR ".join(rule.changed for rule in rules)
    sql = (
        f"UPDATE {lead} SET {', '.join(sets)}, updated_at = %s FROM {latest} "
        f"WHERE {lead}.email = s.email AND ({changed})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, now, *latest_params])
        return cursor.rowcount


def leads_diff_existing(
    *,
    job_id: int,
    mapped: list[str],
    campaign: Campaign | None,
    modes: Mapping[str, str] | None = None,
    importer_id: int | None = None,
) -> dict:
    """The dry run's view of `leads_update_existing`: what it would change, per field."""
    rules = field_rules(
        mapped=mapped,
        modes=modes or {},
        importer_id=importer_id,
        campaign_id=campaign.pk if campaign else None,
        lead="l",
    )
    latest, latest_params = _latest_rows(job_id)
    return dry_run_diff(rules=rules, latest=latest, latest_params=latest_params)


def leads_insert_new(
    *, job_id: int, campaign: Campaign | None, now: datetime, repeated: bool
) -> int:
    """Insert the file's addresses not yet in Funnel, as leads, each announced with one
    `lead.created` webhook event; returns how many."""
    columns, values, params = [], [], []
    explicit = {
        "email": "s.email",
        **{field: f"s.{_qn(field)}" for field in TEXT_FIELDS if field != "email"},
        "stage": "%s",
        "score": "%s",
        "marketing_consent": "COALESCE(s.marketing_consent, %s)",
        "marketing_consent_at": "CASE WHEN s.marketing_consent = %s THEN %s ELSE NULL END",
        "source_campaign_id": "%s",
        "created_at": "COALESCE(s.created_at, %s)",
        "updated_at": "%s",
        # What the import's undo deletes (if nobody changed them since).
        "created_by_import_id": "%s",
    }
    explicit_params = {
        "stage": [Stage.LEAD.value],
        "score": [0.0],
        "marketing_consent": [False],
        "marketing_consent_at": [True, now],
        "source_campaign_id": [campaign.pk if campaign else None],
        "created_at": [now],
        "updated_at": [now],
        "created_by_import_id": [job_id],
    }
    for field in Lead._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.attname in explicit:
            columns.append(_qn(field.column))
            values.append(explicit[field.attname])
            params += explicit_params.get(field.attname, [])
        elif not field.null:
            # A column added to Lead later: its model default, so the INSERT stays valid.
            columns.append(_qn(field.column))
            values.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection))
    # Addresses already in Funnel were updated just before: the unique index skips them (a
    # NOT EXISTS here would be planned against the table as it was, before this very
    # INSERT grew it). When the file repeats an address, its lines go in last first, so
    # the last line is the one inserted and the earlier ones are skipped as conflicts.
    # On PostgreSQL the rows go in sorted by address: the indexes on the address then grow
    # at one end instead of taking a million random inserts, which was steadier (the sort
    # runs in memory: SORT_MEMORY, for this statement's transaction only).
    if connection.vendor == "postgresql":
        order = "ORDER BY s.email, s.line_no DESC "
        with connection.cursor() as cursor:
            cursor.execute(SORT_MEMORY)
    else:
        order = "ORDER BY s.line_no DESC " if repeated else ""
    sql = (
        f"INSERT INTO {_qn(LEAD)} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM {_qn(STAGING)} s WHERE s.job_id = %s "
        f"{order}ON CONFLICT (email) DO NOTHING"
    )
    from integrations import webhooks

    # `lead.created` for exactly the rows this INSERT creates (not those another writer
    # created meanwhile), in the same statement on PostgreSQL: nothing per lead.
    return webhooks.leads_created_record_from_insert(insert_sql=sql, params=[*params, job_id])


# A million staged rows sort in about 200 MB; PostgreSQL's default 4 MB sorts on disk.
SORT_MEMORY = "SET LOCAL work_mem = '256MB'"


def touches_insert(*, job_id: int, kind: str, campaign: Campaign | None, now: datetime) -> int:
    """One touch of `kind` for every lead of the file (an event's or webinar's attendees)."""
    utm = campaign.utm_campaign if campaign else ""
    sql = (
        f"INSERT INTO {_qn(TOUCH)} (lead_id, campaign_id, kind, at, utm_source, utm_medium, "
        "utm_campaign, utm_content, utm_term) "
        f"SELECT l.id, %s, %s, %s, '', '', %s, '', '' FROM {_qn(LEAD)} l "
        f"WHERE l.email IN (SELECT email FROM {_qn(STAGING)} WHERE job_id = %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [campaign.pk if campaign else None, kind, now, utm, job_id])
        return cursor.rowcount


# Staged lines with a Stage moved per round: the mover then locks them in one batch.
MOVE_CHUNK = 2000


def leads_move_to_file_stage(*, job_id: int, repeated: bool) -> int:
    """Bring leads to the stage the file gives them, through the one stage writer (cause
    `import`, with history). A customer or lost prospect first becomes a prospect, as the
    stage graph requires; a lead already past the file's stage is left where it is.

    The lines with a stage are walked in chunks (an index holds just them), and each
    chunk's leads are named by address: every round costs the same, however many leads
    have moved already.
    """
    staging = _qn(STAGING)
    with connection.cursor() as cursor:
        if repeated:
            # The last line of an address wins: earlier lines give up their stage.
            cursor.execute(
                f"UPDATE {staging} SET stage = '' WHERE job_id = %s AND stage <> '' AND EXISTS "
                f"(SELECT 1 FROM {staging} t WHERE t.job_id = {staging}.job_id "
                f"AND t.email = {staging}.email AND t.line_no > {staging}.line_no)",
                [job_id],
            )
        if connection.vendor == "postgresql":
            # The leads just written are not in the planner's statistics yet.
            cursor.execute(f"ANALYZE {_qn(LEAD)}")
    lines = ImportRow.objects.filter(job_id=job_id).exclude(stage="").order_by("line_no")
    moved, after = 0, 0
    while True:
        chunk = list(
            lines.filter(line_no__gt=after).values_list("line_no", "email", "stage")[:MOVE_CHUNK]
        )
        if not chunk:
            return moved
        after = chunk[-1][0]
        by_stage: dict[str, list[str]] = {}
        for _, email, stage in chunk:
            by_stage.setdefault(stage, []).append(email)
        moved += _move_chunk(by_stage)


def _move_chunk(by_stage: dict[str, list[str]]) -> int:
    def wanting(*stages: Stage):
        emails = [email for stage in stages for email in by_stage.get(stage, [])]
        return Lead.objects.filter(email__in=emails)

    steps = [
        (wanting(Stage.PROSPECT, Stage.CUSTOMER).filter(stage__in=[Stage.LEAD, Stage.LOST]),
         Stage.PROSPECT),
        (wanting(Stage.LOST).filter(stage=Stage.LEAD), Stage.PROSPECT),
        (wanting(Stage.CUSTOMER), Stage.CUSTOMER),
        (wanting(Stage.LOST), Stage.LOST),
        (wanting(Stage.DISQUALIFIED), Stage.DISQUALIFIED),
    ]  # fmt: skip
    moved: set[int] = set()
    needed = {
        Stage.PROSPECT: {Stage.PROSPECT, Stage.CUSTOMER, Stage.LOST},
        Stage.CUSTOMER: {Stage.CUSTOMER},
        Stage.LOST: {Stage.LOST},
        Stage.DISQUALIFIED: {Stage.DISQUALIFIED},
    }
    for candidates, to_stage in steps:
        if not needed[to_stage] & set(by_stage):
            continue
        moved.update(
            leads_move_bulk(
                candidates=candidates,
                to_stage=to_stage,
                cause=Cause.IMPORT,
                reason="Stage given by a CSV import.",
                batch_size=MOVE_CHUNK,
            )
        )
    return len(moved)
