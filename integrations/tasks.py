from celery import shared_task
from django.conf import settings

from integrations import idempotency
from integrations.webhooks import delivery as webhooks_delivery

# --- Idempotency keys (integrations/idempotency.py) ------------------------------------


@shared_task
def idempotency_records_purge() -> int:
    """Delete idempotency records older than 24 hours. Safe to run twice: the second run
    finds nothing to delete."""
    return idempotency.idempotency_records_purge()


# --- Webhooks (integrations/webhooks/delivery.py) ----------------------------------------


@shared_task
def webhooks_dispatch() -> int:
    """Send due webhook deliveries for up to WEBHOOKS_DISPATCH_SECONDS, then hand over to
    a fresh task if work remains (other tasks get the worker in between). Queued on
    commit by every outbox write and by the sweep; safe to run many at once: claims are
    compare-and-set, so no delivery is sent by two workers."""
    made, more = webhooks_delivery.deliveries_dispatch(
        budget_seconds=settings.WEBHOOKS_DISPATCH_SECONDS
    )
    if more:
        webhooks_dispatch.delay()
    return made


@shared_task
def webhooks_sweep() -> int:
    """Beat task: take back deliveries whose worker died (expired lease), and queue
    dispatchers when anything is due (retries whose backoff has passed, work a killed
    worker's lost message would have sent). Returns the number of deliveries recovered."""
    recovered = webhooks_delivery.deliveries_recover_expired()
    due = len(webhooks_delivery.deliveries_due()[: settings.WEBHOOKS_DISPATCHERS])
    for _ in range(due):
        webhooks_dispatch.delay()
    return recovered
