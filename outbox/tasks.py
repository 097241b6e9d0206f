from celery import shared_task

from outbox import services


@shared_task
def outbox_task_run(row_id: int) -> bool:
    """Run one outbox row (queued on commit by `outbox_add`, or by the drain sweep). Safe
    to run twice: the claim is compare-and-set and the row is deleted once it ran."""
    return services.outbox_task_run(row_id=row_id)


@shared_task
def outbox_drain() -> int:
    """Beat: publish the outbox rows still due (lost messages, broker outages, retries)."""
    return services.outbox_drain()
