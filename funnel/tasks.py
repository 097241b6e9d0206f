from celery import shared_task


@shared_task
def qualify_scored_leads() -> int:
    """Recompute every score (set-based), then move leads at or above the MQL threshold
    of marketing's scoring rules to prospect (cause `rule`); owners are assigned on commit.

    Idempotent: the set-based mover only takes leads still in `lead` stage and skips rows
    another worker holds, so a second run, or a run beside another worker, moves nothing
    twice (marketing/scoring.py).
    """
    from marketing.scoring import leads_qualify

    return len(leads_qualify())
