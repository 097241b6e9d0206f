"""Demo data for money in several currencies: a year of weekly rates for two currencies,
a few open deals and some spend in them. A step of `funnel.demo.DEMO_STEPS`, after sales.
Idempotent: rates only for currencies without any, deals and spend only when no record
is in another currency yet."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction

from currencies.codes import company_currency
from currencies.models import ExchangeRate
from funnel.stages import Stage
from leads.models import Lead
from marketing.models import Spend
from marketing.services import SpendLine, spend_record
from sales.models import Deal
from sales.services import deal_create

if TYPE_CHECKING:
    from funnel.demo import DemoContext

# Roughly what one unit was worth in each other currency; the demo wobbles around it.
AROUND = {"EUR": {"USD": "1.08", "GBP": "0.85"}, "GBP": {"USD": "1.27", "EUR": "1.17"},
          "USD": {"EUR": "0.93", "GBP": "0.79"}}  # fmt: skip


def _foreign() -> list[str]:
    return [code for code in ("EUR", "GBP", "USD") if code != company_currency()][:2]


def step_currencies(ctx: DemoContext) -> str:
    with transaction.atomic():
        rates = _rates(ctx)
        deals, spend = _foreign_records(ctx)
    return f"currencies: {rates} rates, {deals} deals and {spend} spend lines in other currencies"


def _rates(ctx: DemoContext) -> int:
    have = set(ExchangeRate.objects.values_list("currency", flat=True).distinct())
    today = ctx.now.date()
    rows = []
    for code in _foreign():
        if code in have:
            continue
        base = Decimal(AROUND[code].get(company_currency(), "1"))
        for week in range(56):
            wobble = Decimal(str(round(ctx.rng.uniform(-0.03, 0.03), 4)))
            rows.append(
                ExchangeRate(
                    currency=code,
                    day=today - timedelta(days=7 * (55 - week) + 3),
                    rate=(base * (1 + wobble)).quantize(Decimal("0.000001")),
                    created_by=ctx.users.get("manager"),
                )
            )
    return len(ExchangeRate.objects.bulk_create(rows))


def _foreign_records(ctx: DemoContext) -> tuple[int, int]:
    home = company_currency()
    if (
        Deal.objects.exclude(currency=home).exists()
        or Spend.objects.exclude(currency=home).exists()
    ):
        return 0, 0
    codes = _foreign()
    prospects = Lead.objects.filter(stage=Stage.PROSPECT, owner__isnull=False).order_by("email")
    deals = 0
    for i, lead in enumerate(prospects[:4]):
        deal_create(
            lead=lead,
            title="Enterprise licence (Europe)",
            amount=Decimal(8_000 + 2_500 * i),
            currency=codes[i % len(codes)],
            created_by=lead.owner,
            expected_close_on=ctx.now.date() + timedelta(days=20 + 10 * i),
        )
        deals += 1
    # A campaign still running, so the lines sit inside its dates.
    today = ctx.now.date()
    running = [c for c in ctx.campaigns if c.starts_on and c.starts_on < today - timedelta(days=40)]
    campaign = next((c for c in running if c.ends_on is None or c.ends_on >= today), None)
    if campaign is None:
        return deals, 0
    day = today - timedelta(days=20)
    lines = [
        SpendLine(day - timedelta(days=7 * i), Decimal(350 + 40 * i), "Agency invoice", codes[0])
        for i in range(3)
    ]
    return deals, len(spend_record(campaign=campaign, lines=lines, actor=ctx.users.get("marketer")))
