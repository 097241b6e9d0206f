from celery import shared_task

from marketing import scoring
from marketing.imports import services as imports


@shared_task
def scores_recompute() -> int:
    """The full scoring run (hourly beat entry `recompute-lead-scores`, and after a rules
    change): every score recomputed, then leads at the threshold promoted. Idempotent: a
    second run rewrites nothing and finds nobody left to move. Returns the leads moved."""
    return len(scoring.leads_qualify(full=True))


# A million-line file takes minutes; the default limits are for short tasks.
@shared_task(soft_time_limit=6 * 3600, time_limit=6 * 3600 + 300)
def lead_import_run(job_id: int) -> str:
    """Run a queued CSV import; a second delivery finds the job claimed and does nothing."""
    job = imports.import_job_run(job_id=job_id)
    return job.status if job else "not claimable"


@shared_task
def lead_imports_resume() -> int:
    """Beat (every half lease): queue again the imports whose worker died or whose message
    was lost; the next run takes them over. Returns the jobs queued again."""
    return len(imports.import_jobs_resume())
