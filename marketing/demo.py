"""Demo data for marketing: the touches behind each demo lead and each campaign's spend.

A step of `funnel.demo.DEMO_STEPS`, after the leads exist. Idempotent: touches are made
only for demo leads that have none, spend only for campaigns without a ledger. Scores are
then recomputed from the touches, so a lead page's explanation matches its score.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction

from funnel.models import StageChange
from funnel.stages import Stage
from leads.models import Lead
from marketing.models import Campaign, Spend, Touch
from marketing.scoring import scores_recompute

if TYPE_CHECKING:
    from funnel.demo import DemoContext

K = Touch.Kind
# What a campaign's first touch looks like, and the UTM source and medium of its links.
CHANNEL_TOUCH = {
    Campaign.Channel.WEBINAR: (K.WEBINAR_ATTENDED, "webinar-platform", "webinar"),
    Campaign.Channel.PAID_SEARCH: (K.FORM_SUBMIT, "google", "cpc"),
    Campaign.Channel.SOCIAL: (K.PAGE_VISIT, "linkedin", "paid-social"),
    Campaign.Channel.EMAIL: (K.EMAIL_CLICK, "newsletter", "email"),
    Campaign.Channel.EVENT: (K.EVENT_ATTENDED, "saas-summit", "event"),
    Campaign.Channel.REFERRAL: (K.FORM_SUBMIT, "referral", "referral"),
    Campaign.Channel.CONTENT: (K.CONTENT_DOWNLOAD, "website", "content"),
    Campaign.Channel.OTHER: (K.PAGE_VISIT, "website", "other"),
}
FOLLOW_UPS = [K.PAGE_VISIT, K.PAGE_VISIT, K.EMAIL_OPEN, K.EMAIL_OPEN, K.EMAIL_CLICK,
              K.CONTENT_DOWNLOAD, K.FORM_SUBMIT]  # fmt: skip


def step_marketing(ctx: DemoContext) -> str:
    with transaction.atomic():
        touches = _touches(ctx)
        spend = _spend(ctx)
        rescored = scores_recompute(
            leads=Lead.objects.filter(pk__in=[lead.pk for lead in ctx.leads])
        )
    return f"marketing: {touches} touches, {spend} spend lines created; {rescored} scores updated"


def _touches(ctx: DemoContext) -> int:
    touched = set(
        Touch.objects.filter(lead__in=ctx.leads).values_list("lead_id", flat=True).distinct()
    )
    leads = [lead for lead in ctx.leads if lead.pk not in touched]
    if not leads:
        return 0
    qualified = dict(
        StageChange.objects.filter(lead__in=leads, to_stage=Stage.PROSPECT)
        .order_by("lead_id", "at")
        .values_list("lead_id", "at")
    )
    rows: list[Touch] = []
    for lead in leads:
        rows += _lead_touches(ctx, lead, until=qualified.get(lead.pk, ctx.now))
    return len(Touch.objects.bulk_create(rows, batch_size=1000))


def _lead_touches(ctx: DemoContext, lead: Lead, *, until: datetime) -> list[Touch]:
    rng = ctx.rng
    campaign = lead.source_campaign
    first_kind, source, medium = (
        CHANNEL_TOUCH[Campaign.Channel(campaign.channel)]
        if campaign
        else (
            K.PAGE_VISIT,
            "google",
            "organic",
        )
    )
    touches = [_touch(lead, campaign, first_kind, lead.created_at, source, medium)]
    span = max((until - lead.created_at).total_seconds(), 3600)
    # Leads still with marketing stay mostly below the threshold: a few cross it, and the
    # qualification rule hands them over a minute after `make run`.
    count = rng.randint(1, 4) if lead.stage == Stage.LEAD else rng.randint(3, 9)
    for _ in range(count):
        at = lead.created_at + timedelta(seconds=rng.uniform(0, span))
        running = [c for c in ctx.campaigns if _running(c, at.date())]
        other = rng.choice(running) if running and rng.random() < 0.6 else None
        kind = rng.choice(FOLLOW_UPS)
        if other is not None:
            _, source, medium = CHANNEL_TOUCH[Campaign.Channel(other.channel)]
        else:
            source, medium = "website", "organic"
        touches.append(_touch(lead, other, kind, at, source, medium))
    return touches


def _touch(lead, campaign, kind, at, source, medium) -> Touch:
    return Touch(
        lead=lead,
        campaign=campaign,
        kind=kind,
        at=at,
        utm_source=source,
        utm_medium=medium,
        utm_campaign=campaign.utm_campaign if campaign else "",
    )


def _running(campaign: Campaign, day: date) -> bool:
    return (
        bool(campaign.starts_on)
        and campaign.starts_on <= day
        and (campaign.ends_on is None or day <= campaign.ends_on)
    )


def _spend(ctx: DemoContext) -> int:
    """Weekly invoices from each campaign's start to its end (or today), burning its budget
    at an uneven pace: some over, most a little under."""
    with_ledger = set(Spend.objects.values_list("campaign_id", flat=True).distinct())
    today = ctx.now.date()
    rows = []
    for campaign in ctx.campaigns:
        if campaign.pk in with_ledger or not campaign.starts_on or campaign.starts_on > today:
            continue
        end = min(campaign.ends_on or today, today)
        weeks = max(1, ((campaign.ends_on or today) - campaign.starts_on).days // 7 + 1)
        pace = ctx.rng.uniform(0.75, 1.1)
        day = campaign.starts_on
        while day <= end:
            amount = (
                campaign.budget / weeks * Decimal(str(round(pace * ctx.rng.uniform(0.8, 1.2), 3)))
            )
            rows.append(
                Spend(
                    campaign=campaign,
                    day=day,
                    amount=amount.quantize(Decimal("0.01")),
                    note=f"Invoice, week of {day:%d %b}",
                    created_by=ctx.users.get("marketer"),
                )
            )
            day += timedelta(days=7)
    return len(Spend.objects.bulk_create(rows))
