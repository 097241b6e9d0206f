from celery import shared_task

from integrations import idempotency
from integrations.webhooks import delivery as webhooks_delivery
from integrations.webhooks import dispatch as webhooks_dispatch_slots

# --- Idempotency keys (integrations/idempotency.py) ------------------------------------


@shared_task
def idempotency_records_purge() -> int:
    """Delete idempotency records older than 24 hours. Safe to run twice: the second run
    finds nothing to delete."""
    return idempotency.idempotency_records_purge()


# --- Webhooks (integrations/webhooks/dispatch.py) ----------------------------------------


@shared_task
def webhooks_dispatch(endpoint_id: int | None = None, token: str | None = None) -> int:
    """Send one endpoint's due deliveries as the holder of its dispatcher slot (`token`),
    for a time box, then hand over to a fresh task if work remains. Published only by
    whoever took the slot, so at most one runs per endpoint; a task whose token is stale
    does nothing. Without arguments (a message queued by an older release) it starts the
    dispatchers that are due instead."""
    if endpoint_id is None or token is None:
        dispatchers_publish(webhooks_dispatch_slots.dispatchers_start())
        return 0
    run = webhooks_dispatch_slots.endpoint_deliveries_dispatch(endpoint_id=endpoint_id, token=token)
    if run.next_token is not None:
        dispatchers_publish([(endpoint_id, run.next_token)])
    return run.made


@shared_task
def webhooks_sweep() -> int:
    """Beat task: take back deliveries whose worker died (expired lease), and start a
    dispatcher for each endpoint with due work and a free slot (retries whose backoff
    has passed, paused endpoints whose pause is over, lost tasks). Publishes at most one
    dispatch task per endpoint. Returns the number of deliveries recovered."""
    recovered = webhooks_delivery.deliveries_recover_expired()
    dispatchers_publish(webhooks_dispatch_slots.dispatchers_start())
    return recovered


def dispatchers_publish(started) -> None:
    for endpoint_id, token in started:
        webhooks_dispatch.delay(endpoint_id, str(token))
