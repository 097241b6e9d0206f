from celery import shared_task


@shared_task
def qualify_scored_leads() -> int:
    """Rescore the leads whose touches or fields were written since the last run
    (set-based), then move every lead at or above the MQL threshold of marketing's scoring
    rules to prospect (cause `rule`); owners are assigned on commit. Decay is the hourly
    full run's (`marketing.tasks.scores_recompute`).

    Idempotent: the set-based mover only takes leads still in `lead` stage and skips rows
    another worker holds, so a second run, or a run beside another worker, moves nothing
    twice (marketing/scoring.py).
    """
    from marketing.scoring import leads_qualify

    return len(leads_qualify())


@shared_task
def metric_rollups_refresh() -> str:
    """Rebuild the local days of the metric rollups, and the close days of the campaign
    credits summary, that changed since the last run (funnel/metrics/rollup_refresh.py).
    Idempotent, and runs alone: a second run waits for the first, then finds nothing left
    to do."""
    from funnel.metrics.rollup_refresh import rollups_refresh

    result = rollups_refresh()
    return "no rollups on this database" if result is None else str(result)
