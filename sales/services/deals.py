"""Deals: open, win, lose. Winning a prospect's first deal makes them a customer through
the one stage writer, in the same transaction; a customer's later wins are repeat
business. Locks are taken lead first, then deal, everywhere, so two writers cannot
deadlock."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from currencies.codes import company_currency, currency_code_clean
from currencies.conversion import rate_required
from funnel.roles import is_manager
from funnel.stages import Cause, Stage
from leads.models import Lead
from marketing.models import Campaign
from sales.errors import SalesConflict
from sales.models import MAX_AMOUNT, Activity, Deal
from sales.periods import today
from sales.pipeline.models import DealStage, DealStageChange, LostReason
from sales.pipeline.services import (
    DEAL_STAGES,
    _deal_locked_with_lead,
    deal_history_edit,
    deal_history_start,
    deal_move,
)
from sales.pipeline.stages import pipeline_default, stage_first_open, stage_resolve
from sales.services.activities import activity_create, lead_activity_seen, users_who_may_own


def deal_amount_clean(value: object) -> Decimal:
    """A money amount: not negative, at most MAX_AMOUNT, cents."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": "Enter an amount such as 1250.00."}) from None
    if not amount.is_finite():
        raise ValidationError({"amount": "Enter an amount such as 1250.00."})
    if amount < 0:
        raise ValidationError({"amount": "A deal amount cannot be negative."})
    if amount > MAX_AMOUNT:
        raise ValidationError({"amount": f"A deal amount is at most {MAX_AMOUNT:,}."})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"amount": "Amounts have at most two decimal places."})
    return amount


def promotion_for_code(code: str) -> Campaign | None:
    """The campaign whose promotion carries `code` (any letter case); None for no code."""
    code = (code or "").strip()
    if not code:
        return None
    campaign = Campaign.objects.exclude(promo_code="").filter(promo_code__iexact=code).first()
    if campaign is None:
        raise ValidationError({"promo_code": f"No campaign has the promo code {code!r}."})
    return campaign


def _title_clean(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "Give the deal a title."})
    return title


def deal_create(
    *,
    lead: Lead,
    title: str,
    amount: Decimal,
    created_by: AbstractBaseUser,
    owner: AbstractBaseUser | None = None,
    expected_close_on: date | None = None,
    promo_code: str = "",
    stage: DealStage | int | str | None = None,
    cause: Cause = Cause.MANUAL,
    at: datetime | None = None,
    currency: str | None = None,
) -> Deal:
    """Open a deal for a prospect or a customer, in `stage` (an open stage of the default
    pipeline; default its first), with its first history row. The owner defaults to the
    lead's owner, or the creator when the lead has none. `at` backdates it (imports, demo
    data). `currency` defaults to the company's; another needs a rate on or before the
    day."""
    pipeline = pipeline_default()
    stage = stage_resolve(stage, pipeline_id=pipeline.pk) if stage else stage_first_open(pipeline)
    if stage.is_closed:
        raise ValidationError({"stage": "A new deal starts in an open stage."})
    amount = deal_amount_clean(amount)
    currency = currency_code_clean(currency) if currency else company_currency()
    rate_required(currency=currency, day=timezone.localdate(at or timezone.now()))
    title = _title_clean(title)
    promotion = promotion_for_code(promo_code)
    if owner is not None and not users_who_may_own().filter(pk=owner.pk).exists():
        raise ValidationError({"owner": "Deals belong to an active sales rep or manager."})
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead.pk)
        if lead.stage not in DEAL_STAGES:
            raise SalesConflict(
                f"Deals are for prospects and customers; this lead is a "
                f"{Stage(lead.stage).label.lower()}. Qualify it first.",
                code="lead_stage",
            )
        now = at or timezone.now()
        deal = Deal(
            lead=lead,
            title=title,
            amount=amount,
            currency=currency,
            expected_close_on=expected_close_on,
            owner=owner or lead.owner or created_by,
            promotion=promotion,
            promo_code=promotion.promo_code if promotion else "",
            created_by=created_by,
            created_at=now,
            stage=stage,
            stage_changed_at=now,
        )
        deal.full_clean(exclude=["lead", "owner", "promotion", "created_by", "stage"])
        deal.save()
        deal_history_start(deal=deal, actor=created_by, cause=cause)
        lead_activity_seen(lead_id=lead.pk, at=now)
    return deal


def deal_update(
    *,
    deal_id: int,
    actor: AbstractBaseUser,
    title: str | None = None,
    amount: Decimal | None = None,
    expected_close_on: date | None = None,
    clear_expected_close_on: bool = False,
    owner: AbstractBaseUser | None = None,
    promo_code: str | None = None,
    currency: str | None = None,
    cause: Cause = Cause.MANUAL,
    at: datetime | None = None,
) -> Deal:
    """Edit an open deal, under the lead's and the deal's locks (the order of every deal
    writer). A change of amount, currency or expected close date writes an immutable
    history row (`deal_history_edit`): the forecast's inputs and slippage have a history
    between stage moves too. A closed deal is history (revenue, quota) and keeps its
    figures: only its title may still be corrected. `at` backdates the edit (imports)."""
    changes: dict[str, object] = {}
    if title is not None:
        changes["title"] = _title_clean(title)
    if amount is not None:
        changes["amount"] = deal_amount_clean(amount)
    if currency is not None:
        changes["currency"] = currency_code_clean(currency)
    if expected_close_on is not None or clear_expected_close_on:
        changes["expected_close_on"] = expected_close_on
    if owner is not None:
        if not users_who_may_own().filter(pk=owner.pk).exists():
            raise ValidationError({"owner": "Deals belong to an active sales rep or manager."})
        changes["owner"] = owner
    if promo_code is not None:
        promotion = promotion_for_code(promo_code)
        changes["promotion"] = promotion
        changes["promo_code"] = promotion.promo_code if promotion else ""
    with transaction.atomic():
        deal = _deal_locked_with_lead(deal_id)
        changed = [name for name, value in changes.items() if getattr(deal, name) != value]
        if not deal.is_open and set(changed) - {"title"}:
            raise SalesConflict(
                f"This deal is {deal.status}; its amount, dates, owner and promotion are "
                "history now. Only the title can change.",
                code="deal_closed",
            )
        if "currency" in changed:
            rate_required(currency=changes["currency"], day=today())
        before = {name: getattr(deal, name) for name in changed}
        for name in changed:
            setattr(deal, name, changes[name])
        if changed:
            deal.save(update_fields=[*changed, "updated_at"])
        if set(changed) & HISTORY_FIELDS:
            deal_history_edit(
                deal=deal,
                actor=actor,
                cause=cause,
                reason=_edit_summary(before, deal, changed),
                at=at,
            )
    return deal


# The fields whose edits the deal history records (the forecast's and slippage's inputs).
HISTORY_FIELDS = {"amount", "currency", "expected_close_on"}


def _edit_summary(before: dict, deal: Deal, changed: list[str]) -> str:
    """What changed, in words, for the history row: "Expected close 2026-05-01 → …"."""
    labels = {"amount": "Amount", "currency": "Currency", "expected_close_on": "Expected close"}
    parts = [
        f"{labels[name]} {before[name] or '—'} → {getattr(deal, name) or '—'}"
        for name in changed
        if name in labels
    ]
    return "; ".join(parts)[:500]


def deal_win(
    *,
    deal_id: int,
    actor: AbstractBaseUser,
    cause: Cause,
    closed_on: date | None = None,
    at: datetime | None = None,
    amount: Decimal | None = None,
    note: str = "",
) -> Deal:
    """Win an open deal: a move into its pipeline's won stage (`deal_move`). A prospect's
    win makes the lead a customer in the same transaction; a customer's win is repeat
    business. `at` backdates the close (imports, demo data); `amount` is the confirmed
    final amount (the page asks before winning); `note` is kept as a note on the deal."""
    with transaction.atomic():
        deal = _deal_locked_with_lead(deal_id)
        _deal_must_be_open(deal, "won")
        return deal_move(
            deal_id=deal.pk,
            to_stage=_closing_stage(deal, won=True),
            actor=actor,
            cause=cause,
            amount=amount,
            closed_on=closed_on,
            note=note,
            at=at,
        )


def deal_reopen(*, deal_id: int, actor: AbstractBaseUser, reason: str) -> Deal:
    """Reopen a won deal entered by mistake (managers only, with a reason): it goes back to
    the open stage it was won from and leaves revenue and quotas. The lead's stage is not
    touched: a customer whose only win this was stays a customer until a manager moves
    them back to prospect (a separate, recorded move). Who reopened it and why is a note
    on the deal."""
    if not is_manager(actor):
        raise PermissionDenied("Only a manager can reopen a won deal.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the deal is reopened."})
    if len(reason) > 500:
        raise ValidationError({"reason": "Keep the reason under 500 characters."})
    with transaction.atomic():
        deal = _deal_locked_with_lead(deal_id)
        if deal.status != Deal.Status.WON:
            raise SalesConflict(
                f"Only a won deal can be reopened; this one is {deal.status}.",
                code="deal_not_won",
            )
        closed_on = deal.closed_on
        deal = deal_move(
            deal_id=deal.pk,
            to_stage=stage_before_close(deal),
            actor=actor,
            cause=Cause.MANUAL,
            reason=reason,
            reopen=True,
        )
        activity_create(
            lead=deal.lead,
            kind=Activity.Kind.NOTE,
            subject=f"Reopened won deal “{deal.title[:150]}”",
            body=f"Won on {closed_on:%Y-%m-%d} ({deal.amount:,.2f} {deal.currency}); "
            f"reopened: {reason}",
            created_by=actor,
            deal=deal,
        )
    return deal


def deal_lose(
    *,
    deal_id: int,
    actor: AbstractBaseUser,
    reason: str = "",
    lost_reason: object = None,
    closed_on: date | None = None,
    at: datetime | None = None,
) -> Deal:
    """Lose an open deal: a move into its pipeline's lost stage, with a reason from the
    managed list (`lost_reason`) and optional words (`reason`). Words alone (older API
    clients) pick the list's reason of that name, else "Other". The lead stays where it
    is, even without other open deals: the rep decides whether it is lost or goes back to
    marketing."""
    reason = (reason or "").strip()
    if lost_reason in (None, "") and not reason:
        raise ValidationError({"lost_reason": "Pick why the deal was lost."})
    if lost_reason in (None, ""):
        lost_reason = lost_reason_for_words(reason)
    with transaction.atomic():
        deal = _deal_locked_with_lead(deal_id)
        _deal_must_be_open(deal, "lost")
        return deal_move(
            deal_id=deal.pk,
            to_stage=_closing_stage(deal, won=False),
            actor=actor,
            cause=Cause.API if getattr(actor, "auth_via_api", False) else Cause.MANUAL,
            reason=reason,
            lost_reason=lost_reason,
            closed_on=closed_on,
            at=at,
        )


def deal_delete(*, deal_id: int, actor: AbstractBaseUser) -> None:
    """Delete a deal entered by mistake. Won deals are revenue already reported: refused."""
    with transaction.atomic():
        deal = Deal.objects.select_for_update().get(pk=deal_id)
        if deal.status == Deal.Status.WON:
            raise SalesConflict(
                "A won deal is revenue already counted in quotas and reports; it cannot be "
                "deleted.",
                code="deal_won",
            )
        deal.delete()


def _deal_must_be_open(deal: Deal, verb: str) -> None:
    if not deal.is_open:
        raise SalesConflict(
            f"This deal is already {deal.status}; it cannot be {verb}.", code="deal_closed"
        )


def _closing_stage(deal: Deal, *, won: bool) -> DealStage:
    stage = (
        DealStage.objects.filter(pipeline_id=deal.stage.pipeline_id, is_won=won, is_lost=not won)
        .order_by("position")
        .first()
    )
    if stage is None:
        raise ValidationError(
            {"to_stage": f"The pipeline has no {'won' if won else 'lost'} stage."}
        )
    return stage


def stage_before_close(deal: Deal) -> DealStage:
    """The open stage a closed deal left when it closed (its last history row), else its
    pipeline's last open stage."""
    last = (
        DealStageChange.objects.filter(
            deal=deal, to_stage=deal.stage_id, kind=DealStageChange.Kind.MOVE
        )
        .select_related("from_stage")
        .order_by("-at", "-id")
        .first()
    )
    if last is not None and last.from_stage is not None and not last.from_stage.is_closed:
        return last.from_stage
    return (
        DealStage.objects.filter(pipeline_id=deal.stage.pipeline_id, is_won=False, is_lost=False)
        .order_by("-position")
        .first()
    )


def lost_reason_for_words(words: str) -> LostReason:
    """The managed reason named like `words`, else "Other" (created if it was removed)."""
    reason = LostReason.objects.filter(name__iexact=words.strip()).first()
    return reason or LostReason.objects.get_or_create(name="Other")[0]
