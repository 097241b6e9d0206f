"""Per-lead order of webhook deliveries: which delivery of a lead is the head.

For one endpoint, the deliveries about one lead (same `ordering_key`) go one at a time,
oldest first: only the head may be claimed. A new delivery is the head if its lead has
no open delivery to that endpoint; closing the head (delivered or dead-lettered) makes the
next open one head.

Why this cannot leave a lead stuck or with two heads:
- writers of a lead's deliveries hold the lead's row lock (moves take it; the other
  writers take it), so two inserts for one lead never run side by side, and ids follow
  commit order;
- an insert locks the lead's open deliveries (`open_groups_lock`) before deciding, so it
  waits for a head being closed at that moment, and then sees it closed (new head); a
  closing that starts after the insert's lock waits for the insert to commit, and then
  promotes the new delivery.
On SQLite, writers are serialized anyway.
"""

from collections.abc import Iterable

from django.db.models import Subquery

from integrations.webhooks.models import WebhookDelivery


def open_groups_lock(
    *, endpoint_ids: Iterable[int], lead_ids: Iterable[int]
) -> set[tuple[int, int]]:
    """(endpoint_id, lead_id) pairs that already have an open delivery, locking those
    deliveries until the caller's transaction ends."""
    lead_ids = list(lead_ids)
    if not lead_ids:
        return set()
    rows = (
        WebhookDelivery.objects.filter(
            ordering_key__in=lead_ids,
            endpoint_id__in=list(endpoint_ids),
            status__in=WebhookDelivery.OPEN_STATUSES,
        )
        .order_by("id")
        .select_for_update()
        .values_list("endpoint_id", "ordering_key")
    )
    return set(rows)


def next_head_promote(*, endpoint_id: int, ordering_key: int | None) -> None:
    """Make the oldest open non-head delivery of this lead and endpoint the head. Call in
    the transaction that closes the current head."""
    if ordering_key is None:
        return
    oldest_waiting = (
        WebhookDelivery.objects.filter(
            ordering_key=ordering_key,
            endpoint_id=endpoint_id,
            status__in=WebhookDelivery.OPEN_STATUSES,
            is_head=False,
        )
        .order_by("id")
        .values("id")[:1]
    )
    # One statement: UPDATE ... WHERE id IN (SELECT id ... ORDER BY id LIMIT 1).
    WebhookDelivery.objects.filter(pk__in=Subquery(oldest_waiting)).update(is_head=True)
