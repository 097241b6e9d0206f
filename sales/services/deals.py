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
from funnel.services import lead_transition
from funnel.stages import Cause, Stage
from integrations import webhooks
from leads.models import Lead
from marketing.models import Campaign
from sales.errors import SalesConflict
from sales.models import MAX_AMOUNT, Activity, Deal
from sales.periods import today
from sales.services.activities import activity_create, lead_activity_seen, users_who_may_own
from sales.services.sequences import enrolments_stop_for_lead

# Stages whose deals may be opened and won: prospects become customers by winning,
# customers come back for more.
DEAL_STAGES = (Stage.PROSPECT, Stage.CUSTOMER)


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
    at: datetime | None = None,
    currency: str | None = None,
) -> Deal:
    """Open a deal for a prospect or a customer. The owner defaults to the lead's owner,
    or the creator when the lead has none. `at` backdates it (imports, demo data).
    `currency` defaults to the company's; another needs a rate on or before the day."""
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
        )
        deal.full_clean(exclude=["lead", "owner", "promotion", "created_by"])
        deal.save()
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
) -> Deal:
    """Edit an open deal. A closed deal is history (revenue, quota) and keeps its figures:
    only its title may still be corrected."""
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
        deal = Deal.objects.select_for_update().get(pk=deal_id)
        changed = [name for name, value in changes.items() if getattr(deal, name) != value]
        if not deal.is_open and set(changed) - {"title"}:
            raise SalesConflict(
                f"This deal is {deal.status}; its amount, dates, owner and promotion are "
                "history now. Only the title can change.",
                code="deal_closed",
            )
        if "currency" in changed:
            rate_required(currency=changes["currency"], day=today())
        for name in changed:
            setattr(deal, name, changes[name])
        if changed:
            deal.save(update_fields=[*changed, "updated_at"])
    return deal


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
    """Win an open deal. A prospect's win moves the lead to customer (same transaction,
    through the one stage writer); a customer's win is repeat business. `at` backdates
    the close (imports, demo data); it defaults to now. `amount` is the confirmed final
    amount (the page asks before winning); `note` is kept as a note on the deal."""
    now = at or timezone.now()
    closed_on = _closed_on_clean(closed_on or timezone.localdate(now))
    amount = deal_amount_clean(amount) if amount is not None else None
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationError({"note": "Keep the note under 500 characters."})
    with transaction.atomic():
        deal = _deal_locked_with_lead(deal_id)
        _deal_must_be_open(deal, "won")
        if amount is not None and amount != deal.amount:
            deal.amount = amount
            deal.save(update_fields=["amount", "updated_at"])
        lead = deal.lead
        if lead.stage not in DEAL_STAGES:
            raise SalesConflict(
                f"Only a prospect's or a customer's deal can be won; this lead is a "
                f"{Stage(lead.stage).label.lower()}. Reopen it as a prospect first.",
                code="lead_stage",
            )
        _closed_on_not_before_creation(deal, closed_on)
        rate_required(currency=deal.currency, day=closed_on, field="closed_on")
        deal.status = Deal.Status.WON
        deal.closed_on = closed_on
        deal.closed_at = now
        deal.save(update_fields=["status", "closed_on", "closed_at", "updated_at"])
        webhooks.deal_closed_record(deal=deal)  # `deal.won` into the webhook outbox
        enrolments_stop_for_lead(lead_id=lead.pk, reason="A deal was won.", at=now)
        if lead.stage == Stage.PROSPECT:
            lead_transition(
                lead_id=lead.pk,
                to_stage=Stage.CUSTOMER,
                cause=cause,
                actor=actor,
                reason=f"Won deal “{deal.title[:200]}” ({deal.amount:,.2f} {deal.currency}).",
                at=now,
            )
        if note:
            activity_create(
                lead=lead,
                kind=Activity.Kind.NOTE,
                subject=f"Won “{deal.title[:150]}”",
                body=note,
                created_by=actor,
                deal=deal,
            )
        lead_activity_seen(lead_id=lead.pk, at=now)
    return deal


def deal_reopen(*, deal_id: int, actor: AbstractBaseUser, reason: str) -> Deal:
    """Reopen a won deal entered by mistake (managers only, with a reason): it is open
    again and leaves revenue and quotas. The lead's stage is not touched: a customer
    whose only win this was stays a customer until a manager moves them back to prospect
    (a separate, recorded move). Who reopened it and why is a note on the deal."""
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
        deal.status = Deal.Status.OPEN
        deal.closed_on = None
        deal.closed_at = None
        deal.save(update_fields=["status", "closed_on", "closed_at", "updated_at"])
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
    reason: str,
    closed_on: date | None = None,
    at: datetime | None = None,
) -> Deal:
    """Lose an open deal. The lead stays where it is, even without other open deals: the
    rep decides whether it is lost or goes back to marketing."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the deal was lost."})
    if len(reason) > 500:
        raise ValidationError({"reason": "Keep the reason under 500 characters."})
    now = at or timezone.now()
    closed_on = _closed_on_clean(closed_on or timezone.localdate(now))
    with transaction.atomic():
        deal = _deal_locked_with_lead(deal_id)
        _deal_must_be_open(deal, "lost")
        _closed_on_not_before_creation(deal, closed_on)
        rate_required(currency=deal.currency, day=closed_on, field="closed_on")
        deal.status = Deal.Status.LOST
        deal.lost_reason = reason
        deal.closed_on = closed_on
        deal.closed_at = now
        deal.save(update_fields=["status", "lost_reason", "closed_on", "closed_at", "updated_at"])
        webhooks.deal_closed_record(deal=deal)  # `deal.lost` into the webhook outbox
        enrolments_stop_for_lead(lead_id=deal.lead_id, reason="A deal was lost.", at=now)
        lead_activity_seen(lead_id=deal.lead_id, at=now)
    return deal


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


def _deal_locked_with_lead(deal_id: int) -> Deal:
    lead_id = Deal.objects.values_list("lead_id", flat=True).get(pk=deal_id)
    lead = Lead.objects.select_for_update().get(pk=lead_id)
    deal = Deal.objects.select_for_update().get(pk=deal_id)
    deal.lead = lead
    return deal


def _deal_must_be_open(deal: Deal, verb: str) -> None:
    if not deal.is_open:
        raise SalesConflict(
            f"This deal is already {deal.status}; it cannot be {verb}.", code="deal_closed"
        )


def _closed_on_clean(closed_on: date | None) -> date:
    if closed_on is None:
        return today()
    if closed_on > today():
        raise ValidationError({"closed_on": "A deal cannot close in the future."})
    return closed_on


def _closed_on_not_before_creation(deal: Deal, closed_on: date) -> None:
    opened_on = timezone.localdate(deal.created_at)
    if closed_on < opened_on:
        raise ValidationError(
            {"closed_on": f"The deal was opened on {opened_on:%Y-%m-%d}; it cannot close earlier."}
        )
