"""Marketing writes: campaigns, the spend ledger and the touch log.

Lead capture (marketing.capture), the CSV import (marketing.imports) and scoring
(marketing.scoring) have their own modules.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from currencies.codes import company_currency, currency_code_clean
from currencies.conversion import first_rate_days, missing_rate_message
from funnel.metrics.window import MIN_DATE, site_today
from leads.history import lead_changes_record
from leads.merge_policy import WriteOrigin
from leads.models import Lead
from marketing.models import Campaign, Spend, Touch, new_capture_key

# Ledger lines above this are typos (the column holds 10 digits before the point).
MAX_SPEND = Decimal("1000000000.00")
# How far ahead of the site's today a ledger line may be dated (see spend_day_clean).
SPEND_DAYS_AHEAD = 366

CAMPAIGN_FIELDS = frozenset(
    {
        "name",
        "channel",
        "status",
        "starts_on",
        "ends_on",
        "budget",
        "description",
        "target_audience",
        "utm_campaign",
        "thank_you_url",
        "promo_code",
        "discount_percent",
        "discount_amount",
        "owner",
    }
)


# --- Campaigns ------------------------------------------------------------------------


def campaign_save(
    *,
    data: Mapping[str, Any],
    campaign: Campaign | None = None,
    actor: AbstractBaseUser | None = None,
) -> Campaign:
    """Create (`campaign` None) or update a campaign from `data` (a subset of
    CAMPAIGN_FIELDS). A new campaign is owned by its creator unless `data` says otherwise.
    Raises ValidationError naming the field (duplicate UTM name or promo code included)."""
    unknown = set(data) - CAMPAIGN_FIELDS
    if unknown:
        raise TypeError(f"Not campaign fields: {', '.join(sorted(unknown))}")
    creating = campaign is None
    campaign = campaign or Campaign()
    for name, value in data.items():
        setattr(campaign, name, value)
    campaign.name = (campaign.name or "").strip()
    campaign.promo_code = (campaign.promo_code or "").strip().upper()
    if creating and "owner" not in data and actor is not None and actor.is_authenticated:
        campaign.owner = actor
    campaign.utm_campaign = (campaign.utm_campaign or "").strip()
    _utm_name_check(campaign)
    _promotion_check(campaign)
    if campaign.starts_on and campaign.ends_on and campaign.ends_on < campaign.starts_on:
        raise ValidationError({"ends_on": "The campaign cannot end before it starts."})
    # Constraints are checked above with messages naming the field; the database still
    # enforces them (the IntegrityError below).
    campaign.full_clean(exclude=["owner"], validate_constraints=False)
    try:
        with transaction.atomic():
            campaign.save()
    except IntegrityError:
        # A concurrent save took the same UTM name or promo code after full_clean looked.
        raise ValidationError(
            {"utm_campaign": "This UTM name or promo code was just taken; choose another."}
        ) from None
    return campaign


def _utm_name_check(campaign: Campaign) -> None:
    # Touches find their campaign by the lower-cased UTM name: two names equal in any case
    # would credit one campaign's touches to the other.
    name = campaign.utm_campaign
    if name and Campaign.objects.exclude(pk=campaign.pk).filter(utm_campaign__iexact=name).exists():
        raise ValidationError({"utm_campaign": "Another campaign already uses this UTM name."})


def _promotion_check(campaign: Campaign) -> None:
    code = campaign.promo_code
    if code and Campaign.objects.exclude(pk=campaign.pk).filter(promo_code__iexact=code).exists():
        raise ValidationError({"promo_code": "Another campaign already uses this promo code."})
    has_percent = campaign.discount_percent is not None
    has_amount = campaign.discount_amount is not None
    if campaign.promo_code and has_percent == has_amount:
        raise ValidationError(
            {"discount_percent": "A promotion needs either a percent or an amount discount."}
        )
    if not campaign.promo_code and (has_percent or has_amount):
        raise ValidationError({"promo_code": "Enter the promo code the discount applies to."})


def campaign_regenerate_capture_key(*, campaign: Campaign) -> Campaign:
    """Give the campaign a new capture key: forms posting the old one stop working (404)."""
    campaign.capture_key = new_capture_key()
    campaign.save(update_fields=["capture_key", "updated_at"])
    return campaign


# --- Spend ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SpendLine:
    day: date
    amount: Decimal
    note: str = ""
    currency: str = ""  # ISO 4217; empty: the company currency.


class SpendRateMissing(ValidationError):
    """Lines in a currency no rate converts on their day: `by_index` {line index: message}."""

    def __init__(self, by_index: dict[int, str]) -> None:
        self.by_index = by_index
        super().__init__({"currency": list(by_index.values())})


def spend_rate_errors(lines: list[SpendLine]) -> dict[int, str]:
    """{index: message} of the lines whose currency has no rate on or before their day.
    One query for the whole batch (a rate applies from its day on, so the earliest rate
    of each currency decides)."""
    first = first_rate_days({line.currency for line in lines if line.currency})
    errors = {}
    for index, line in enumerate(lines):
        if line.currency and line.currency != company_currency():
            since = first.get(line.currency)
            if since is None or line.day < since:
                errors[index] = missing_rate_message(line.currency, line.day, since)
    return errors


def spend_day_clean(day: date, *, today: date | None = None) -> date:
    """The day of a ledger line: from 1970 to SPEND_DAYS_AHEAD days after the site's today
    (committed spend may be booked ahead; 2999 for 2029 is a typo that would sit in every
    future window's cost). Raises ValidationError with a message for a person."""
    latest = (today or site_today()) + timedelta(days=SPEND_DAYS_AHEAD)
    if day < MIN_DATE:
        raise ValidationError("Enter a day in 1970 or later.")
    if day > latest:
        raise ValidationError(
            f"Enter a day at most {SPEND_DAYS_AHEAD} days ahead (on or before {latest:%Y-%m-%d})."
        )
    return day


def spend_amount_clean(value: object, *, field: str = "amount") -> Decimal:
    # Text is read as written: a comma is never dropped here (that turned "25,50" into
    # 2550.00). The spend CSV reads decimal commas and thousands separators itself.
    try:
        amount = Decimal(str(value).strip()) if value is not None else None
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        raise ValidationError({field: "Enter an amount such as 1250.00."})
    if amount < 0:
        raise ValidationError({field: "Spend cannot be negative; delete a wrong entry instead."})
    if amount > MAX_SPEND:
        raise ValidationError({field: f"Spend lines are at most {MAX_SPEND:,}."})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: "Amounts have at most two decimal places."})
    return amount


def spend_record(
    *, campaign: Campaign, lines: Iterable[SpendLine], actor: AbstractBaseUser | None = None
) -> list[Spend]:
    """Add ledger lines to a campaign, all or none. A line in another currency than the
    company's needs a rate on or before its day (SpendRateMissing otherwise)."""
    created_by = actor if actor is not None and actor.is_authenticated else None
    rows, today = [], site_today()
    lines = [
        replace(line, currency=currency_code_clean(line.currency or company_currency()))
        for line in lines
    ]
    missing = spend_rate_errors(lines)
    if missing:
        raise SpendRateMissing(missing)
    for line in lines:
        try:
            spend_day_clean(line.day, today=today)
        except ValidationError as exc:
            raise ValidationError({"day": exc.messages}) from None
        note = (line.note or "").strip()
        if len(note) > 300 or "\x00" in note:
            raise ValidationError({"note": "Notes are at most 300 characters of text."})
        rows.append(
            Spend(
                campaign=campaign,
                day=line.day,
                amount=spend_amount_clean(line.amount),
                currency=line.currency,
                note=note,
                created_by=created_by,
            )
        )
    with transaction.atomic():
        return Spend.objects.bulk_create(rows)


def spend_delete(*, spend: Spend) -> None:
    spend.delete()


# --- Touches --------------------------------------------------------------------------


@dataclass(frozen=True)
class TouchData:
    lead_id: int
    kind: str
    at: datetime
    campaign_id: int | None = None
    utm_source: str = ""
    utm_medium: str = ""
    utm_campaign: str = ""
    utm_content: str = ""
    utm_term: str = ""
    submitted: dict[str, Any] | None = None
    scored: bool = True


def touches_record(
    *, touches: Iterable[TouchData], rescore: bool = True, origin: WriteOrigin | None = None
) -> list[Touch]:
    """Log touches in one INSERT, give each lead without a source campaign the campaign of
    its first touch (in the lead's field history when `origin` says who wrote), and bring
    the touched leads' scores up to date."""
    rows = [
        Touch(
            lead_id=t.lead_id,
            kind=t.kind,
            at=t.at,
            campaign_id=t.campaign_id,
            utm_source=t.utm_source,
            utm_medium=t.utm_medium,
            utm_campaign=t.utm_campaign,
            utm_content=t.utm_content,
            utm_term=t.utm_term,
            submitted=t.submitted,
            scored=t.scored,
        )
        for t in touches
    ]
    if not rows:
        return []
    lead_ids = sorted({row.lead_id for row in rows})
    with transaction.atomic():
        created = Touch.objects.bulk_create(rows)
        leads_set_source_campaign(lead_ids=lead_ids, origin=origin)
        if rescore:
            from marketing.scoring import scores_recompute

            scores_recompute(leads=Lead.objects.filter(pk__in=lead_ids))
    return created


def leads_set_source_campaign(*, lead_ids: list[int], origin: WriteOrigin | None = None) -> int:
    """First touch wins: a lead with no source campaign gets the campaign of its earliest
    touch that has one (the merge policy's fill-empty). One UPDATE, and with `origin` one
    SELECT and one INSERT of field history; leads that already have a source are left
    alone."""
    first_campaign = (
        Touch.objects.filter(lead=OuterRef("pk"), campaign__isnull=False)
        .order_by("at", "id")
        .values("campaign")[:1]
    )
    targets = Lead.objects.filter(pk__in=lead_ids, source_campaign__isnull=True).filter(
        Exists(Touch.objects.filter(lead=OuterRef("pk"), campaign__isnull=False))
    )
    now = timezone.now()
    if origin is not None:
        filled = list(
            targets.select_for_update()
            .order_by("pk")
            .annotate(first=Subquery(first_campaign))
            .values_list("pk", "first")
        )
        if not filled:
            return 0
        lead_changes_record(
            changes=[(pk, {"source_campaign_id": (None, first)}) for pk, first in filled],
            origin=origin,
            at=now,
        )
        targets = Lead.objects.filter(pk__in=[pk for pk, _ in filled])
    return targets.update(source_campaign=Subquery(first_campaign), updated_at=now)
