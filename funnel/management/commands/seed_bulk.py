"""`manage.py seed_bulk --leads N --seed S`: N leads with two years of realistic history.

Leads, their stage changes, touches and deals (and each campaign's spend ledger, reps'
quotas) are generated in Python from the seed and written with PostgreSQL COPY in chunks
(one transaction each), or with batched INSERTs on SQLite. The rows are what the one
writer would have written: legal moves in time order, milestone columns and
`from_stage_entered_at` in step with history (`manage.py funnel_rebuild_milestones`
finds no drift). The same seed and `--until` give the same data.
"""

from __future__ import annotations

import random
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Max

from funnel.management.commands._seed_copy import (
    BulkTable,
    IndexesDeferred,
    analyze,
    on_postgres,
    reset_sequence,
    timestamp_formatter,
)
from funnel.management.commands._seed_histories import (
    DAY,
    EPOCH,
    CampaignSpan,
    HistoryGenerator,
)
from funnel.management.commands._seed_world import (
    quotas_create,
    spend_rows,
    table_exists,
    world_create,
)
from funnel.metrics.rollup_refresh import rollups_refresh
from funnel.models import StageChange
from leads.models import Lead

FIRST_NAMES = [
    "ada",
    "ben",
    "chloe",
    "dev",
    "elena",
    "farid",
    "grace",
    "hugo",
    "ines",
    "jon",
    "kira",
    "liam",
    "mona",
    "nils",
    "olga",
    "pablo",
    "rosa",
    "sven",
    "tara",
    "yuki",
]
LAST_NAMES = [
    "adams",
    "baker",
    "costa",
    "diaz",
    "evans",
    "fischer",
    "gupta",
    "hansen",
    "ivanov",
    "jensen",
    "kowalski",
    "lopez",
    "meyer",
    "nakamura",
    "obi",
    "petrov",
    "reyes",
]
COMPANIES = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Vandelay",
    "Stark",
    "Wayne",
    "Tyrell",
    "Soylent",
    "Wonka",
    "Cyberdyne",
    "Aperture",
    "Massive Dynamic",
]
INDUSTRIES = ["Software", "Retail", "Manufacturing", "Finance", "Healthcare", "Education"]
COUNTRIES = ["US", "GB", "DE", "FR", "NL", "ES", "IN", "BR", "CA", "AU"]
SIZES = ["1-10", "11-50", "51-200", "201-1000", "1001-5000", "5000+"]

LEAD_COLUMNS = [
    "id",
    "email",
    "first_name",
    "last_name",
    "company",
    "phone",
    "industry",
    "country",
    "company_size",
    "stage",
    "stage_changed_at",
    "became_prospect_at",
    "became_customer_at",
    "became_disqualified_at",
    "became_lost_at",
    "returned_to_lead_at",
    "owner_id",
    "source_campaign_id",
    "score",
    "last_activity_at",
    "created_at",
    "updated_at",
]
CHANGE_COLUMNS = [
    "lead_id",
    "from_stage",
    "to_stage",
    "at",
    "from_stage_entered_at",
    "cause",
    "reason",
]
TOUCH_COLUMNS = ["lead_id", "campaign_id", "kind", "at", "utm_source", "utm_medium", "utm_campaign"]
DEAL_COLUMNS = [
    "lead_id",
    "title",
    "amount",
    "status",
    "expected_close_on",
    "closed_on",
    "closed_at",
    "owner_id",
    "lost_reason",
    "created_at",
    "updated_at",
    "stage_id",
    "stage_changed_at",
    "currency",
]
SPEND_COLUMNS = ["campaign_id", "day", "amount", "note", "currency"]
MILESTONE_STAGES = ("prospect", "customer", "disqualified", "lost", "lead")
CAUSES = {
    "prospect": "rule",
    "disqualified": "manual",
    "customer": "manual",
    "lost": "manual",
    "lead": "task",
}


class Command(BaseCommand):
    help = "Seed N leads with realistic multi-stage histories, touches, deals and spend."

    def add_arguments(self, parser):
        parser.add_argument("--leads", type=int, required=True, help="how many leads")
        parser.add_argument("--seed", type=int, default=1, help="random seed (reproducible)")
        parser.add_argument(
            "--until",
            type=date.fromisoformat,
            default=None,
            help="last day of the two years seeded (default: today)",
        )
        parser.add_argument("--years", type=int, default=2)
        parser.add_argument("--reps", type=int, default=24)
        parser.add_argument("--campaigns", type=int, default=60)
        parser.add_argument("--chunk", type=int, default=25_000, help="leads per transaction")

    def handle(
        self,
        *args,
        leads: int,
        seed: int,
        until: date | None,
        years: int,
        reps: int,
        campaigns: int,
        chunk: int,
        **options,
    ):
        if not 0 < leads <= 20_000_000:
            raise CommandError("--leads must be between 1 and 20,000,000")
        if not 1 <= years <= 10 or chunk < 1:
            raise CommandError("--years must be 1..10 and --chunk positive")
        zone = ZoneInfo(settings.TIME_ZONE)
        last_day = until or datetime.now(zone).date()
        first_day = last_day - timedelta(days=365 * years)
        start = (datetime.combine(first_day, datetime.min.time(), zone) - EPOCH).total_seconds()
        end = start + (last_day - first_day + timedelta(days=1)).days * DAY
        began = time.monotonic()

        world = world_create(
            seed=seed, first_day=first_day, last_day=last_day, reps=reps, campaigns=campaigns
        )
        spans = [
            CampaignSpan(c.pk, _day_start(c.starts_on, zone), _day_start(c.ends_on, zone) + DAY)
            for c in world.campaigns
        ]
        utm = {c.pk: (c.utm_campaign, c.channel) for c in world.campaigns}
        generator = HistoryGenerator(
            seed=seed, start=start, end=end, campaigns=spans, reps=world.reps
        )
        names = random.Random(seed + 3)

        from marketing.models import Spend, Touch
        from sales.models import Deal

        optional = {model: table_exists(model) for model in (Touch, Deal, Spend)}
        tables = {
            "leads": BulkTable(Lead, LEAD_COLUMNS),
            "stage changes": BulkTable(StageChange, CHANGE_COLUMNS),
        }
        if optional[Touch]:
            tables["touches"] = BulkTable(Touch, TOUCH_COLUMNS)
        if optional[Deal]:
            tables["deals"] = BulkTable(Deal, DEAL_COLUMNS)
            self._deal_stages = _deal_stage_ids()
        threshold = settings.FUNNEL_MQL_THRESHOLD
        self._timestamp = timestamp_formatter()

        first_id = (Lead.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        loaded = [Lead, StageChange, *(m for m in (Touch, Deal) if optional[m])]
        with IndexesDeferred(loaded) as deferred:
            for offset in range(0, leads, chunk):
                with transaction.atomic():
                    for index in range(offset, min(offset + chunk, leads)):
                        history = generator.lead(generator.created_at(index, leads))
                        self._lead_rows(
                            tables, first_id + index, history, names, threshold, utm, zone
                        )
                    for table in tables.values():
                        table.flush()
                done = min(offset + chunk, leads)
                elapsed = time.monotonic() - began
                self.stdout.write(f"  {done:,} leads ({done / elapsed:,.0f}/s)")
            if deferred.saved:
                self.stdout.write(f"  rebuilding {len(deferred.saved)} indexes and keys...")
        reset_sequence(Lead)

        if optional[Spend]:
            ledger = BulkTable(Spend, SPEND_COLUMNS)
            with transaction.atomic():
                for campaign_id, day, amount in spend_rows(
                    world=world, seed=seed, last_day=last_day
                ):
                    ledger.add((campaign_id, day.isoformat(), amount, "", settings.FUNNEL_CURRENCY))
                ledger.flush()
            tables["spend rows"] = ledger
        quotas = quotas_create(world=world, first_day=first_day, last_day=last_day, seed=seed)
        analyze([Lead, StageChange, *(m for m, present in optional.items() if present)])
        # The dashboards' daily rollups, built now rather than by the first beat run.
        rollups_began = time.monotonic()
        if rollups_refresh(full=True) is not None:
            self.stdout.write(f"  metric rollups built in {time.monotonic() - rollups_began:.1f} s")

        elapsed = time.monotonic() - began
        written = ", ".join(f"{t.written:,} {name}" for name, t in tables.items())
        skipped = [m.__name__ for m, present in optional.items() if not present]
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {written}, {quotas:,} quotas, {len(world.campaigns)} campaigns, "
                f"{len(world.reps)} reps in {elapsed:.1f} s "
                f"({'COPY' if on_postgres() else 'batched INSERT'})."
            )
        )
        for name, table in tables.items():
            rate = table.written / table.seconds if table.seconds else 0
            self.stdout.write(
                f"  {name}: {table.written:,} rows written in {table.seconds:.1f} s ({rate:,.0f}/s)"
            )
        if skipped:
            self.stdout.write(f"  Not seeded (no table yet): {', '.join(skipped)}")

    def _lead_rows(self, tables, lead_id, history, names, threshold, utm, zone) -> None:
        timestamp = self._timestamp

        def _ts(seconds: float | None) -> str | None:
            return None if seconds is None else timestamp(seconds)

        first, last = names.choice(FIRST_NAMES), names.choice(LAST_NAMES)
        company = names.choice(COMPANIES)
        in_lead = history.stage == "lead"
        # A lead still in `lead` scores under the MQL threshold, or the next qualification
        # sweep would move it: the seeded state must be one the rules leave alone.
        score = round(names.random() * threshold * (0.95 if in_lead else 2.0), 1)
        activity = max([t[2] for t in history.touches] + [m[2] for m in history.moves])
        created = timestamp(history.created)
        tables["leads"].add(
            (
                lead_id,
                f"{first}.{last}.{lead_id}@{company.lower().replace(' ', '')}.example",
                first.capitalize(),
                last.capitalize(),
                company,
                _phone(lead_id),
                names.choice(INDUSTRIES),
                names.choice(COUNTRIES),
                names.choice(SIZES),
                history.stage,
                _ts(history.stage_changed),
                *(_ts(history.first_into.get(stage)) for stage in MILESTONE_STAGES),
                history.owner,
                history.source_campaign,
                score,
                timestamp(activity),
                created,
                timestamp(max(history.created, activity)),
            )
        )
        changes = tables["stage changes"]
        for from_stage, to_stage, at, entered in history.moves:
            changes.add(
                (
                    lead_id,
                    from_stage,
                    to_stage,
                    timestamp(at),
                    timestamp(entered),
                    CAUSES[to_stage],
                    "",
                )
            )
        touches = tables.get("touches")
        if touches is not None:
            for campaign, kind, at in history.touches:
                name, channel = utm.get(campaign, ("", ""))
                touches.add(
                    (
                        lead_id,
                        campaign,
                        kind,
                        timestamp(at),
                        "newsletter" if channel == "email" else (channel or "direct"),
                        channel,
                        name,
                    )
                )
        deals = tables.get("deals")
        if deals is not None:
            renewal_after = history.created + 400 * DAY
            for status, amount, opened, closed, expected, reason in history.deals:
                deals.add(
                    (
                        lead_id,
                        f"{company} — {'renewal' if opened > renewal_after else 'new business'}",
                        f"{amount:.2f}",
                        status,
                        _day(expected, zone),
                        _day(closed, zone),
                        _ts(closed),
                        history.owner,
                        reason,
                        timestamp(opened),
                        timestamp(closed or opened),
                        self._deal_stages[status],
                        timestamp(closed or opened),
                        settings.FUNNEL_CURRENCY,
                    )
                )


def _deal_stage_ids() -> dict[str, int]:
    """The default pipeline's stage for each seeded status: open deals in its first open
    stage, won and lost ones in its won and lost stages."""
    from sales.pipeline.stages import pipeline_default, stage_first_open, stages_of

    pipeline = pipeline_default()
    stages = stages_of(pipeline)
    return {
        "open": stage_first_open(pipeline).pk,
        "won": next(stage.pk for stage in stages if stage.is_won),
        "lost": next(stage.pk for stage in stages if stage.is_lost),
    }


def _phone(lead_id: int) -> str:
    """A North American number for three leads in four, spread by a multiplicative hash of
    the id (not drawn from the seeded random stream, so the other columns stay as they were)."""
    if lead_id % 4 == 0:
        return ""
    number = (lead_id * 2_654_435_761) % 10**10
    digits = f"{number:010d}"
    return f"+1 ({digits[:3]}) {digits[3:6]}-{digits[6:]}"


def _day(seconds: float | None, zone: ZoneInfo) -> str | None:
    if seconds is None:
        return None
    return (EPOCH + timedelta(seconds=seconds)).astimezone(zone).date().isoformat()


def _day_start(day: date, zone: ZoneInfo) -> float:
    return (datetime.combine(day, datetime.min.time(), zone) - EPOCH).total_seconds()
