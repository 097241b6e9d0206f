"""Bulk actions too large for one request. Takes an id; safe to run twice (see the service)."""

from celery import shared_task

from lists import services


@shared_task(acks_late=True)
def bulk_action_run(bulk_action_id: int) -> int:
    return services.bulk_action_run(bulk_action_id=bulk_action_id).processed
