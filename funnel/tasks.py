from celery import shared_task
from django.conf import settings

from funnel import services
from funnel.stages import Cause, Stage
from leads.models import Lead


@shared_task
def qualify_scored_leads() -> int:
    """Leads whose score reached the MQL threshold become prospects (cause `rule`).

    Idempotent: the set-based mover only takes leads still in `lead` stage, so a second
    run, or a run beside another worker, moves nothing twice.
    """
    threshold = settings.FUNNEL_MQL_THRESHOLD
    moved = services.leads_move_bulk(
        candidates=Lead.objects.filter(score__gte=threshold),
        to_stage=Stage.PROSPECT,
        cause=Cause.RULE,
        reason=f"Score reached the MQL threshold ({threshold:g}).",
    )
    return len(moved)
