"""The outbox: events written in the transaction that makes the change they report.

`event_record`, `lead_created_record`, `leads_created_record`, `stage_changes_record`,
`deal_closed_record` and `deal_stage_changed_record` must be called inside that
transaction: the event and its deliveries commit or roll back with it, and each
endpoint's dispatcher is started only on commit (integrations.webhooks.dispatch). Events
go to the endpoints that are active and subscribed at that moment. Other apps reach these
through `integrations.webhooks`.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from integrations.webhooks.dispatch import dispatchers_start
from integrations.webhooks.models import (
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    WebhookEventType,
)
from integrations.webhooks.ordering import open_groups_lock

# What a webhook tells about a lead, in every event type. The set-based writers build the
# same object in SQL from these columns.
LEAD_SNAPSHOT_COLUMNS = ("id", "email", "first_name", "last_name", "company", "stage", "owner_id")


def event_record(
    *,
    event_type: str,
    data: Mapping[str, Any],
    lead_id: int | None = None,
    occurred_at: datetime | None = None,
) -> WebhookEvent | None:
    """Write one event and its deliveries; None if no active endpoint wants it.

    For per-lead order the lead's row is locked first (moves already hold it): see
    integrations.webhooks.ordering.
    """
    event_type = WebhookEventType(event_type)
    endpoint_ids = _subscribed_endpoint_ids(event_type)
    if not endpoint_ids:
        return None
    busy = lead_busy_endpoints_lock(lead_id=lead_id, endpoint_ids=endpoint_ids)
    now = timezone.now()
    event = WebhookEvent.objects.create(
        type=event_type, occurred_at=occurred_at or now, lead_id=lead_id, data=dict(data)
    )
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            event=event,
            endpoint_id=endpoint_id,
            ordering_key=lead_id,
            is_head=endpoint_id not in busy,
            next_attempt_at=now,
        )
        for endpoint_id in endpoint_ids
    )
    dispatch_on_commit(endpoint_ids)
    return event


def lead_snapshot(lead) -> dict[str, Any]:
    return {column: getattr(lead, column) for column in LEAD_SNAPSHOT_COLUMNS}


def lead_created_record(*, lead) -> WebhookEvent | None:
    return event_record(
        event_type=WebhookEventType.LEAD_CREATED,
        data={"lead": lead_snapshot(lead)},
        lead_id=lead.pk,
        occurred_at=lead.created_at,
    )


def deal_closed_record(*, deal) -> WebhookEvent | None:
    """`deal.won` or `deal.lost` for a deal just closed (call in the closing transaction)."""
    event_type = {"won": WebhookEventType.DEAL_WON, "lost": WebhookEventType.DEAL_LOST}[deal.status]
    data = {
        "deal": {
            "id": deal.pk,
            "title": deal.title,
            # A string: JSON numbers would lose the cents' exactness in some parsers.
            "amount": str(deal.amount),
            "currency": deal.currency,
            "status": deal.status,
            "closed_on": deal.closed_on.isoformat() if deal.closed_on else None,
            "owner_id": deal.owner_id,
            "lost_reason": deal.lost_reason,
        },
        "lead": lead_snapshot(deal.lead),
    }
    return event_record(
        event_type=event_type, data=data, lead_id=deal.lead_id, occurred_at=deal.closed_at
    )


def deal_stage_changed_record(*, deal, change) -> WebhookEvent | None:
    """`deal.stage_changed` for one deal move (call in the moving transaction)."""
    data = {
        "deal": {
            "id": deal.pk,
            "title": deal.title,
            "amount": str(change.amount),
            "currency": deal.currency,
            "status": deal.status,
            "expected_close_on": _iso_date(change.expected_close_on),
            "owner_id": deal.owner_id,
        },
        "from_stage": _stage_json(change.from_stage),
        "to_stage": _stage_json(change.to_stage),
        "actor_id": change.actor_id,
        "reason": change.reason,
        "lost_reason": change.lost_reason.name if change.lost_reason_id else None,
        "lead": lead_snapshot(deal.lead),
    }
    return event_record(
        event_type=WebhookEventType.DEAL_STAGE_CHANGED,
        data=data,
        lead_id=deal.lead_id,
        occurred_at=change.at,
    )


def _stage_json(stage) -> dict[str, Any] | None:
    if stage is None:
        return None
    return {"id": stage.pk, "name": stage.name, "probability": stage.probability}


def _iso_date(value) -> str | None:
    return value.isoformat() if value else None


def stage_changes_record(*, lead_ids: list[int], to_stage: str, at: datetime) -> int:
    """`lead.stage_changed` for the moves into `to_stage` at `at` of `lead_ids`, just
    written by funnel.services: one INSERT ... SELECT for the events and one for their
    deliveries, whatever the number of leads. Returns the number of events."""
    endpoint_ids = _subscribed_endpoint_ids(WebhookEventType.LEAD_STAGE_CHANGED)
    if not endpoint_ids or not lead_ids:
        return 0
    from funnel.models import StageChange
    from leads.models import Lead

    qn = connection.ops.quote_name
    data = _json_object(
        "lead", _lead_snapshot_sql("l"),
        "stage_change_id", "sc.id",
        "from_stage", "sc.from_stage",
        "to_stage", "sc.to_stage",
        "cause", "sc.cause",
        "reason", "sc.reason",
        "actor_id", "sc.actor_id",
        "at", "%s",
    )  # fmt: skip
    placeholders = ", ".join(["%s"] * len(lead_ids))
    select = (
        f"SELECT {_new_uuid_sql()}, %s, sc.at, sc.lead_id, {data}, %s "
        f"FROM {qn(StageChange._meta.db_table)} sc "
        f"JOIN {qn(Lead._meta.db_table)} l ON l.id = sc.lead_id "
        f"WHERE sc.lead_id IN ({placeholders}) AND sc.to_stage = %s AND sc.at = %s "
        "ORDER BY sc.lead_id"
    )
    params = [
        WebhookEventType.LEAD_STAGE_CHANGED.value,
        _iso(at),
        _db_datetime(timezone.now()),
        *lead_ids,
        str(to_stage),
        _db_datetime(at),
    ]
    return _events_insert_select(select=select, params=params, endpoint_ids=endpoint_ids)


def leads_created_record(*, lead_ids: list[int]) -> int:
    """`lead.created` for many leads just inserted (bulk upsert, import), set-based like
    `stage_changes_record`. Returns the number of events."""
    endpoint_ids = _subscribed_endpoint_ids(WebhookEventType.LEAD_CREATED)
    lead_ids = sorted(set(lead_ids))
    if not endpoint_ids or not lead_ids:
        return 0
    from leads.models import Lead

    placeholders = ", ".join(["%s"] * len(lead_ids))
    select = (
        f"SELECT {_new_uuid_sql()}, %s, l.created_at, l.id, "
        f"{_json_object('lead', _lead_snapshot_sql('l'))}, %s "
        f"FROM {connection.ops.quote_name(Lead._meta.db_table)} l "
        f"WHERE l.id IN ({placeholders}) ORDER BY l.id"
    )
    params = [WebhookEventType.LEAD_CREATED.value, _db_datetime(timezone.now()), *lead_ids]
    return _events_insert_select(select=select, params=params, endpoint_ids=endpoint_ids)


def leads_created_record_from_insert(*, insert_sql: str, params: Sequence[Any]) -> int:
    """Run `insert_sql` (an `INSERT INTO` the lead table `... ON CONFLICT DO NOTHING`,
    without RETURNING) and write `lead.created` for exactly the leads it inserted, however
    many (the CSV import): a constant number of statements, no ids through Python. Returns
    the number of leads inserted. Call in the transaction that inserts them.

    A lead just inserted has no earlier event, so each delivery heads its lead's queue.
    """
    endpoint_ids = _subscribed_endpoint_ids(WebhookEventType.LEAD_CREATED)
    if not endpoint_ids:
        with connection.cursor() as cursor:
            cursor.execute(insert_sql, params)
            return cursor.rowcount
    from leads.models import Lead

    qn = connection.ops.quote_name
    lead, events = qn(Lead._meta.db_table), qn(WebhookEvent._meta.db_table)
    now = _db_datetime(timezone.now())

    def events_insert(leads: str) -> str:
        return (
            f"INSERT INTO {events} (uid, type, occurred_at, lead_id, data, created_at) "
            f"SELECT {_new_uuid_sql()}, %s, l.created_at, l.id, "
            f"{_json_object('lead', _lead_snapshot_sql('l'))}, %s FROM {leads} ORDER BY l.id"
        )

    def deliveries_insert(new_events: str) -> str:
        return (
            f"INSERT INTO {qn(WebhookDelivery._meta.db_table)} (event_id, endpoint_id, "
            "ordering_key, is_head, status, attempts, next_attempt_at, outcome_unknown, "
            "last_error, created_at) SELECT e.id, ep.id, e.lead_id, %s, %s, 0, %s, %s, '', %s "
            f"FROM {new_events} CROSS JOIN {qn(WebhookEndpoint._meta.db_table)} ep "
            f"WHERE ep.id IN ({', '.join(['%s'] * len(endpoint_ids))}) ORDER BY e.id, ep.id"
        )

    event_params = [WebhookEventType.LEAD_CREATED.value, now]
    delivery_params = [True, WebhookDelivery.Status.PENDING.value, now, False, now, *endpoint_ids]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The INSERT's own RETURNING names its rows, never one another writer created.
            returned = ", ".join(qn(c) for c in (*LEAD_SNAPSHOT_COLUMNS, "created_at"))
            cursor.execute(
                f"WITH created AS ({insert_sql} RETURNING {returned}), "
                f"new_events AS ({events_insert('created l')} RETURNING id, lead_id), "
                f"deliveries AS ({deliveries_insert('new_events e')}) "
                "SELECT COUNT(*) FROM created",
                [*params, *event_params, *delivery_params],
            )
            inserted = cursor.fetchone()[0]
        else:
            # SQLite serialises writers and never reuses an id: the rows above the
            # highest ids before the INSERT are this INSERT's.
            cursor.execute(
                f"SELECT (SELECT COALESCE(MAX(id), 0) FROM {lead}), "
                f"(SELECT COALESCE(MAX(id), 0) FROM {events})"
            )
            last_lead, last_event = cursor.fetchone()
            cursor.execute(insert_sql, params)
            inserted = cursor.rowcount
            cursor.execute(events_insert(f"{lead} l WHERE l.id > {int(last_lead)}"), event_params)
            cursor.execute(
                deliveries_insert(
                    f"(SELECT id, lead_id FROM {events} WHERE id > {int(last_event)}) e"
                ),
                delivery_params,
            )
    if inserted:
        dispatch_on_commit(endpoint_ids)
    return inserted


def _subscribed_endpoint_ids(event_type: str) -> list[int]:
    # Endpoints are few (a handful per installation): filter the list in Python rather
    # than with JSON operators that differ between SQLite and PostgreSQL.
    rows = WebhookEndpoint.objects.filter(is_active=True).values_list("pk", "events")
    return sorted(pk for pk, events in rows if event_type in (events or []))


def lead_busy_endpoints_lock(*, lead_id: int | None, endpoint_ids: list[int]) -> set[int]:
    """Lock the lead's row, then return the endpoints that already have an open delivery
    about it (a new one waits behind those: it is not the head)."""
    if lead_id is None:
        return set()
    from leads.models import Lead

    list(Lead.objects.select_for_update().filter(pk=lead_id).values_list("pk"))
    return {ep for ep, _ in open_groups_lock(endpoint_ids=endpoint_ids, lead_ids=[lead_id])}


def _events_insert_select(*, select: str, params: list, endpoint_ids: list[int]) -> int:
    # `select` yields at most one event per lead, for leads whose rows the caller holds.
    qn = connection.ops.quote_name
    events, deliveries = WebhookEvent._meta.db_table, WebhookDelivery._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(events)} (uid, type, occurred_at, lead_id, data, created_at) "
            f"{select} RETURNING id, lead_id",
            params,
        )
        inserted = cursor.fetchall()
        if not inserted:
            return 0
        event_ids = [event_id for event_id, _ in inserted]
        busy = open_groups_lock(
            endpoint_ids=endpoint_ids, lead_ids=[lead_id for _, lead_id in inserted]
        )
        now = _db_datetime(timezone.now())
        event_marks = ", ".join(["%s"] * len(event_ids))
        endpoint_marks = ", ".join(["%s"] * len(endpoint_ids))
        cursor.execute(
            f"INSERT INTO {qn(deliveries)} (event_id, endpoint_id, ordering_key, is_head, "
            "status, attempts, next_attempt_at, outcome_unknown, last_error, created_at) "
            "SELECT e.id, ep.id, e.lead_id, %s, %s, 0, %s, %s, '', %s "
            f"FROM {qn(events)} e CROSS JOIN {qn(WebhookEndpoint._meta.db_table)} ep "
            f"WHERE e.id IN ({event_marks}) AND ep.id IN ({endpoint_marks}) "
            "ORDER BY e.id, ep.id",
            [True, "pending", now, False, now, *event_ids, *endpoint_ids],
        )
    # Leads with deliveries still open to an endpoint: the new ones wait their turn.
    for endpoint_id in endpoint_ids:
        waiting = [lead_id for ep, lead_id in busy if ep == endpoint_id]
        if waiting:
            WebhookDelivery.objects.filter(
                event_id__in=event_ids, endpoint_id=endpoint_id, ordering_key__in=waiting
            ).update(is_head=False)
    dispatch_on_commit(endpoint_ids)
    return len(event_ids)


def dispatch_on_commit(endpoint_ids: Iterable[int]) -> None:
    """After commit, start the dispatchers of these endpoints whose slot is free: one
    compare-and-set UPDATE per endpoint, and a task published only by the one that takes
    a slot (a burst of events publishes one task per endpoint, not one per event)."""
    from integrations import tasks

    ids = list(endpoint_ids)
    # robust: the change is committed; if starting fails, the sweep starts it later.
    transaction.on_commit(
        lambda: tasks.dispatchers_publish(dispatchers_start(endpoint_ids=ids)), robust=True
    )


def _json_object(*pairs: str) -> str:
    # Keys are literals of ours, values SQL expressions: jsonb_build_object and SQLite's
    # json_object take the same (key, value, ...) arguments.
    function = "jsonb_build_object" if connection.vendor == "postgresql" else "json_object"
    args = []
    for index in range(0, len(pairs), 2):
        args.extend([f"'{pairs[index]}'", pairs[index + 1]])
    return f"{function}({', '.join(args)})"


def _lead_snapshot_sql(alias: str) -> str:
    pairs = []
    for column in LEAD_SNAPSHOT_COLUMNS:
        pairs.extend([column, f"{alias}.{connection.ops.quote_name(column)}"])
    return _json_object(*pairs)


def _new_uuid_sql() -> str:
    if connection.vendor == "postgresql":
        return "gen_random_uuid()"
    # Django keeps UUIDs on SQLite as 32 hex digits; this is a version-4 UUID.
    return (
        "lower(hex(randomblob(4)) || hex(randomblob(2)) || '4' || substr(hex(randomblob(2)), 2)"
        " || substr('89ab', 1 + (abs(random()) %% 4), 1) || substr(hex(randomblob(2)), 2)"
        " || hex(randomblob(6)))"
    )


def _db_datetime(value: datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
