"""The one writer of a deal's stage.

`deal_move` locks the lead and then the deal (the order every deal writer uses, so two
writers cannot deadlock), refuses what the pipeline forbids, writes exactly one
`DealStageChange` per real move with the deal's amount and expected close date at that
moment (and the close date of the row before, for slippage), keeps `Deal.status` and the
close fields in step with the stage's flags, records the webhook events in the same
transaction, and makes a prospect whose deal is won a customer through the lead stage
writer (`funnel.services.lead_transition`). It also writes the history row of an edit of a
deal's amount, currency or close date (`deal_history_edit`). `sales.services.deal_win`,
`deal_lose` and `deal_reopen` are this writer with their own checks and messages.
"""

from datetime import date, datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from currencies.conversion import rate_required
from funnel.roles import is_manager
from funnel.services import lead_transition
from funnel.stages import Cause, Stage
from integrations import webhooks
from leads.models import Lead
from sales.errors import SalesConflict
from sales.models import Activity, Deal
from sales.periods import today
from sales.pipeline.models import DealStage, DealStageChange, LostReason
from sales.pipeline.stages import lost_reason_resolve, stage_resolve

# Leads whose deals may be won: prospects become customers by winning, customers come
# back for more.
DEAL_STAGES = (Stage.PROSPECT, Stage.CUSTOMER)


class DealClosed(SalesConflict):
    """A move out of a won or lost deal without the managers' reopen path (409)."""


def deal_move(
    *,
    deal_id: int,
    to_stage: DealStage | int | str,
    actor: AbstractBaseUser | None,
    cause: Cause,
    reason: str = "",
    lost_reason: LostReason | int | str | None = None,
    amount: Decimal | None = None,
    closed_on: date | None = None,
    note: str = "",
    reopen: bool = False,
    at: datetime | None = None,
) -> Deal:
    """Move one deal to `to_stage` (a stage, its id or name). A move to its current stage
    does nothing. Into a lost stage it needs a `lost_reason` from the managed list; into
    won, the lead must be a prospect or a customer. Out of a closed deal only with
    `reopen=True`, by a manager, with a reason, into an open stage. `amount` (the
    confirmed amount) and `note` go with the move. Nothing is written when refused."""
    # Imported here: `sales.services` (win, lose, reopen) is built on this writer.
    from sales.services.activities import activity_create, lead_activity_seen
    from sales.services.deals import deal_amount_clean
    from sales.services.sequences import enrolments_stop_for_lead

    amount = deal_amount_clean(amount) if amount is not None else None
    reason = _text_clean(reason, "reason")
    note = _text_clean(note, "note")
    loss = lost_reason_resolve(lost_reason)
    with transaction.atomic():
        deal = _deal_locked_with_lead(deal_id)
        # The time after the lock: history in time order is history in lock order.
        now = at or timezone.now()
        current = deal.stage
        target = stage_resolve(to_stage, pipeline_id=current.pipeline_id)
        if target.pipeline_id != current.pipeline_id:
            raise ValidationError({"to_stage": f"{target.name} is a stage of another pipeline."})
        if target.pk == current.pk:
            return deal
        if current.is_closed:
            _reopen_check(deal, target, actor=actor, reopen=reopen, reason=reason)
        if target.is_lost and loss is None:
            raise ValidationError({"lost_reason": "Pick why the deal was lost."})
        if target.is_won:
            _win_check(deal)
        close_on = _closed_on_clean(closed_on, now=now, deal=deal) if target.is_closed else None
        if close_on is not None:
            # Reports convert a closed deal at its close date: a rate must cover it.
            rate_required(currency=deal.currency, day=close_on, field="closed_on")
        if amount is not None and amount != deal.amount:
            deal.amount = amount
        change = _history_row(
            deal,
            from_stage=current,
            to_stage=target,
            at=now,
            actor=actor,
            cause=cause,
            reason=reason,
            lost_reason=loss if target.is_lost else None,
        )
        deal.stage = target
        deal.stage_changed_at = now
        deal.status = target.status
        deal.closed_on = close_on
        deal.closed_at = now if target.is_closed else None
        deal.loss_reason = loss if target.is_lost else None
        if target.is_lost:
            deal.lost_reason = reason or loss.name
        deal.save(
            update_fields=[
                "stage",
                "stage_changed_at",
                "status",
                "closed_on",
                "closed_at",
                "loss_reason",
                "lost_reason",
                "amount",
                "updated_at",
            ]
        )
        webhooks.deal_stage_changed_record(deal=deal, change=change)
        if target.is_closed:
            webhooks.deal_closed_record(deal=deal)  # `deal.won` / `deal.lost`
            enrolments_stop_for_lead(
                lead_id=deal.lead_id,
                reason="A deal was won." if target.is_won else "A deal was lost.",
                at=now,
            )
        if target.is_won and deal.lead.stage == Stage.PROSPECT:
            lead_transition(
                lead_id=deal.lead_id,
                to_stage=Stage.CUSTOMER,
                cause=cause,
                actor=actor,
                reason=f"Won deal “{deal.title[:200]}” ({deal.amount:,.2f} {deal.currency}).",
                at=now,
            )
        if note:
            activity_create(
                lead=deal.lead,
                kind=Activity.Kind.NOTE,
                subject=f"{target.name}: “{deal.title[:150]}”",
                body=note,
                created_by=actor,
                deal=deal,
            )
        lead_activity_seen(lead_id=deal.lead_id, at=now)
    return deal


def deal_history_start(*, deal: Deal, actor: AbstractBaseUser | None, cause: Cause) -> None:
    """A new deal's first history row (from nothing into its first stage), written in
    the creating transaction."""
    DealStageChange.objects.create(
        deal=deal,
        from_stage=None,
        to_stage=deal.stage,
        at=deal.created_at,
        actor=actor if actor is not None and actor.is_authenticated else None,
        cause=Cause(cause),
        amount=deal.amount,
        currency=deal.currency,
        expected_close_on=deal.expected_close_on,
    )


def deal_history_edit(
    *,
    deal: Deal,
    actor: AbstractBaseUser | None,
    cause: Cause,
    reason: str = "",
    at: datetime | None = None,
) -> DealStageChange:
    """The history row of an edit of a deal's amount, currency or expected close date
    (`sales.services.deal_update`, which holds the lead's and the deal's locks and has
    already set the new values): the deal stays in its stage, the row keeps the values
    it has now and the close date it had before, so slippage counts pushes made within
    a stage."""
    return _history_row(
        deal,
        kind=DealStageChange.Kind.EDIT,
        from_stage=deal.stage,
        to_stage=deal.stage,
        at=at or timezone.now(),
        actor=actor,
        cause=cause,
        reason=reason,
    )


def _history_row(
    deal: Deal, *, actor, cause: Cause, kind=DealStageChange.Kind.MOVE, **fields
) -> DealStageChange:
    """A move's or an edit's row: the deal's amount, currency and close date now, the
    close date of its row before, and how long it had been in the stage it leaves."""
    return DealStageChange.objects.create(
        deal=deal,
        kind=kind,
        from_stage_entered_at=deal.stage_changed_at,
        actor=actor if actor is not None and actor.is_authenticated else None,
        cause=Cause(cause),
        amount=deal.amount,
        currency=deal.currency,
        expected_close_on=deal.expected_close_on,
        previous_expected_close_on=_previous_close_date(deal),
        **fields,
    )


def _previous_close_date(deal: Deal) -> date | None:
    """The expected close date on the deal's latest history row (read under its lock)."""
    return (
        DealStageChange.objects.filter(deal_id=deal.pk)
        .order_by("-at", "-id")
        .values_list("expected_close_on", flat=True)
        .first()
    )


def _deal_locked_with_lead(deal_id: int) -> Deal:
    lead_id = Deal.objects.values_list("lead_id", flat=True).get(pk=deal_id)
    lead = Lead.objects.select_for_update().get(pk=lead_id)
    deal = Deal.objects.select_for_update().select_related("stage").get(pk=deal_id)
    deal.lead = lead
    return deal


def _reopen_check(deal: Deal, target: DealStage, *, actor, reopen: bool, reason: str) -> None:
    if not reopen:
        raise DealClosed(
            f"This deal is {deal.status} ({deal.stage.name}); it cannot move to {target.name}. "
            "A manager can reopen it, with a reason.",
            code="deal_closed",
        )
    if actor is None or not is_manager(actor):
        raise PermissionDenied("Only a manager can reopen a closed deal.")
    if not reason:
        raise ValidationError({"reason": "Say why the deal is reopened."})
    if target.is_closed:
        raise DealClosed(
            f"A closed deal reopens into an open stage, not {target.name}.", code="deal_closed"
        )


def _win_check(deal: Deal) -> None:
    if deal.lead.stage not in DEAL_STAGES:
        raise SalesConflict(
            f"Only a prospect's or a customer's deal can be won; this lead is a "
            f"{Stage(deal.lead.stage).label.lower()}. Reopen it as a prospect first.",
            code="lead_stage",
        )


def _closed_on_clean(closed_on: date | None, *, now: datetime, deal: Deal) -> date:
    closed_on = closed_on or timezone.localdate(now)
    if closed_on > today():
        raise ValidationError({"closed_on": "A deal cannot close in the future."})
    opened_on = timezone.localdate(deal.created_at)
    if closed_on < opened_on:
        raise ValidationError(
            {"closed_on": f"The deal was opened on {opened_on:%Y-%m-%d}; it cannot close earlier."}
        )
    return closed_on


def _text_clean(value: str, field: str) -> str:
    value = (value or "").strip()
    if len(value) > 500:
        raise ValidationError({field: f"Keep the {field} under 500 characters."})
    return value
