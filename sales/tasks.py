"""Sales background work. Each task takes ids (or nothing), calls one service, and is safe
to run twice or on two workers at once (see each service)."""

from celery import shared_task

from funnel.deadlocks import deadlock_retried
from sales import services


@shared_task
def prospects_assign_owner(lead_ids: list[int]) -> int:
    # The assignment waits for row locks (in id order); a score write locking rows in
    # another order can make it a deadlock victim, which changed nothing: run it again.
    return len(
        deadlock_retried(
            lambda: services.prospects_assign_owner(lead_ids=lead_ids), what="owner assignment"
        )
    )


@shared_task
def prospects_assign_ownerless() -> int:
    """Beat: prospects whose assignment task was lost (broker down, worker killed, database
    restarted mid-task) get an owner within a sweep interval."""
    return len(
        deadlock_retried(services.prospects_assign_ownerless, what="ownerless prospect sweep")
    )


@shared_task
def sequence_steps_create_due(enrolment_ids: list[int] | None = None) -> int:
    """Beat: every few minutes, each due sequence step becomes one task for the prospect's
    owner. Also queued on enrolment, for the steps due at once."""
    return services.sequence_steps_create_due(enrolment_ids=enrolment_ids)


@shared_task
def stale_prospects_recycle() -> int:
    """Beat: prospects quiet for SALES_RECYCLE_AFTER_DAYS go back to marketing."""
    return len(services.stale_prospects_recycle())


@shared_task
def forecast_snapshots_take() -> int:
    """Beat: the week's forecast snapshot (the first run of a week writes it, later runs
    that week nothing), so a missed run is made up by the next."""
    from sales.pipeline.forecast import forecast_snapshots_take as take

    return take()
