"""What happens after a stage move, in one explicit place rather than in signals.

Called by `funnel.services` inside the move's transaction: work that must be atomic with
the move is written here directly; everything else is published after commit
(`task_publish_on_commit`), so a rolled-back move queues nothing, and is backed by a sweep
that re-derives it, so a lost message or a broker outage loses nothing.
"""

from datetime import datetime

from funnel.models import StageChange
from funnel.stages import Stage
from outbox.publish import task_publish_on_commit


def moves_recorded(*, changes: list[StageChange]) -> None:
    for change in changes:
        moves_recorded_bulk(
            lead_ids=[change.lead_id], to_stage=Stage(change.to_stage), at=change.at
        )


def moves_recorded_bulk(*, lead_ids: list[int], to_stage: Stage, at: datetime) -> None:
    from integrations import webhooks
    from sales import tasks as sales_tasks

    # Webhook outbox: `lead.stage_changed` events written in the move's transaction (one
    # INSERT for the batch), delivered by Celery after commit.
    webhooks.stage_changes_record(lead_ids=lead_ids, to_stage=to_stage, at=at)
    if to_stage == Stage.PROSPECT:
        # New prospects without an owner get one (round-robin among active reps); if this
        # message is lost, `sales.tasks.prospects_assign_ownerless` finds them.
        task_publish_on_commit(sales_tasks.prospects_assign_owner, lead_ids)
    else:
        # Nurture cadences are for prospects: a lead that left the stage stops its
        # enrolments in the move's transaction (one UPDATE for the whole batch).
        from sales.services import enrolments_stop_for_leads

        enrolments_stop_for_leads(lead_ids=lead_ids, to_stage=to_stage, at=at)
