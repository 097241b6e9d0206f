"""Insert-or-lock by email: the concurrency half of every upsert (bulk, capture, API).

`leads_insert_or_lock` inserts the addresses that are new with
`INSERT ... ON CONFLICT (email) DO NOTHING RETURNING`, so exactly one transaction creates a
given address (the one whose INSERT returned it: only it counts `created` and emits
`lead.created`), then locks the rest with `SELECT ... FOR UPDATE` in email order.

Why no deadlock between concurrent writers: the INSERT goes in email order, and a
conflicting uncommitted insert makes it wait for that transaction to finish, so no writer
ever holds a row another one is inserting; the row locks that follow are taken in email
order too. Why nothing is lost: the rows merged into are read after they are locked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection

from leads.models import Lead


@dataclass
class InsertOrLock:
    created: dict[str, Lead]  # inserted by this transaction, with their ids
    locked: dict[str, Lead]  # existing, locked for this transaction, fresh from the table


def leads_insert_or_lock(*, new_rows: Iterable[Lead]) -> InsertOrLock:
    """Insert `new_rows` (unsaved leads with normalised, distinct emails) whose email is
    free; lock and return the existing lead of every other one. Call inside a transaction."""
    rows = sorted(new_rows, key=lambda lead: lead.email)
    if not rows:
        return InsertOrLock({}, {})
    ids = _insert_ignoring_conflicts(rows)
    created = {}
    for lead in rows:
        if lead.email in ids:
            lead.pk = ids[lead.email]
            lead._state.adding = False
            created[lead.email] = lead
    taken = [lead.email for lead in rows if lead.email not in ids]
    locked: dict[str, Lead] = {}
    if taken:
        existing = Lead.objects.filter(email__in=taken).order_by("email").select_for_update()
        locked = {lead.email: lead for lead in existing}
    return InsertOrLock(created, locked)


def _insert_ignoring_conflicts(rows: list[Lead]) -> dict[str, int]:
    fields = [f for f in Lead._meta.concrete_fields if not f.primary_key]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    limit = connection.features.max_query_params or 65535
    per_statement = max(1, min(len(rows), (limit - 1) // len(fields)))
    ids: dict[str, int] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            placeholders = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(chunk))
            params = [
                f.get_db_prep_save(getattr(lead, f.attname), connection)
                for lead in chunk
                for f in fields
            ]
            cursor.execute(
                f"INSERT INTO {qn(Lead._meta.db_table)} ({columns}) VALUES {placeholders} "
                f"ON CONFLICT ({qn('email')}) DO NOTHING RETURNING {qn('id')}, {qn('email')}",
                params,
            )
            ids.update({email: pk for pk, email in cursor.fetchall()})
    return ids
