"""Report figures in the company currency against an independent computation: every spend
line converted at its day and every deal at its close date (open ones at today), with the
latest rate on or before, in plain Python over the rows (docs/architecture.md, "Money in
several currencies")."""

import bisect
import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from currencies.models import ExchangeRate
from funnel.metrics.window import Window
from funnel.services import lead_transition
from funnel.stages import Cause
from marketing import metrics
from marketing.metrics import campaign_results
from marketing.models import Spend, Touch
from sales.models import Deal
from sales.periods import period_containing
from sales.selectors.quotas import quota_board
from sales.selectors.work import my_work
from tests.currencies.factories import rate
from tests.factories import CampaignFactory, LeadFactory, RepFactory
from tests.marketing.factories import SpendFactory, WonDealFactory
from tests.support import postgres_only

pytestmark = pytest.mark.django_db
CENT = Decimal("0.01")
SINCE, UNTIL = date(2027, 1, 1), date(2027, 3, 31)
CURRENCIES = ["USD", "USD", "EUR", "GBP", "JPY"]


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_EVEN)


class Rates:
    """The rule, written again: the latest rate on or before the day; 1 for USD."""

    def __init__(self):
        self.days = defaultdict(list)
        for row in ExchangeRate.objects.order_by("day"):
            self.days[row.currency].append((row.day, row.rate))

    def on(self, currency: str, day: date) -> Decimal:
        if currency == "USD":
            return Decimal(1)
        rows = self.days[currency]
        index = bisect.bisect_right([d for d, _ in rows], day) - 1
        assert index >= 0, f"the world has no {currency} rate on {day}"
        return rows[index][1]


@pytest.fixture
def world(settings):
    settings.FUNNEL_CURRENCY = "USD"
    rng = random.Random(16)
    first = SINCE - timedelta(days=60)
    # Eight decimals: a converted amount never falls on half a cent (no rounding ties
    # that float arithmetic on SQLite could break the other way).
    for day in range(0, 150, 9):
        rate("EUR", first + timedelta(days=day), Decimal(rng.randint(105000000, 112000000)) / 10**8)
        rate(
            "GBP",
            first + timedelta(days=day + 3),
            Decimal(rng.randint(120000000, 130000000)) / 10**8,
        )
    rate("JPY", first, "0.00671234")
    rate("JPY", date(2027, 2, 14), "0.00655321")
    reps = RepFactory.create_batch(3)
    campaigns = CampaignFactory.create_batch(3)
    for campaign in campaigns:
        for _ in range(10):
            SpendFactory(
                campaign=campaign,
                day=first + timedelta(days=3 + rng.randint(0, 140)),
                amount=Decimal(rng.randint(100, 900000)) / 100,
                currency=rng.choice(CURRENCIES),
            )
    for i in range(40):
        created = datetime.combine(
            first + timedelta(days=5 + rng.randint(0, 100)), time(9), ZoneInfo("UTC")
        )
        lead = LeadFactory(
            email=f"c{i}@example.com",
            created_at=created,
            source_campaign=rng.choice([None, *campaigns]),
        )
        for _ in range(rng.randint(0, 4)):
            Touch.objects.create(
                lead=lead,
                campaign=rng.choice([None, *campaigns]),
                kind="page_visit",
                at=created + timedelta(days=rng.uniform(0, 10)),
            )
        lead_transition(
            lead_id=lead.pk,
            to_stage="prospect",
            cause=Cause.MANUAL,
            at=created + timedelta(hours=1),
        )
        closed = created + timedelta(days=rng.uniform(1, 30))
        status = rng.choice(["won", "won", "won", "lost", "open"])
        WonDealFactory(
            lead=lead,
            owner=rng.choice(reps),
            amount=Decimal(rng.randint(0, 2000000)) / 100,
            currency=rng.choice(CURRENCIES),
            status=status,
            closed_at=None if status == "open" else closed,
            closed_on=None if status == "open" else closed.date(),
        )
    return reps, campaigns


def expected_results(window: Window):
    rates = Rates()
    rows = defaultdict(lambda: defaultdict(Decimal))
    for spend in Spend.objects.all():
        if window.since <= spend.day <= window.until:
            rows[spend.campaign_id]["spend"] += spend.amount * rates.on(spend.currency, spend.day)
    for deal in Deal.objects.filter(status="won").select_related("lead"):
        if not window.since <= deal.closed_on <= window.until:
            continue
        value = deal.amount * rates.on(deal.currency, deal.closed_on)
        source = deal.lead.source_campaign_id
        rows[source]["first_touch"] += value
        credited = sorted(
            (t.at, t.pk, t.campaign_id)
            for t in Touch.objects.filter(lead=deal.lead)
            if t.campaign_id is not None and t.at <= deal.closed_at
        )
        if credited:
            rows[credited[-1][2]]["last_touch"] += value
            for *_, campaign_id in credited:
                rows[campaign_id]["linear"] += value / len(credited)
        else:
            rows[source]["last_touch"] += value
            rows[source]["linear"] += value
    return rows


WINDOWS = [
    (SINCE, UNTIL),
    (date(2027, 2, 14), date(2027, 2, 14)),
    (date(2026, 1, 1), date(2027, 12, 31)),
]


@pytest.mark.parametrize(("since", "until"), WINDOWS)
def test_campaign_results_convert_at_each_records_date(world, since, until):
    window = Window(since, until)
    results, totals = campaign_results(window=window)
    want = expected_results(window)

    for result in results:
        row = want[result.campaign.pk if result.campaign else None]
        assert result.spend == cents(row["spend"])
        assert result.revenue["first_touch"] == cents(row["first_touch"])
        assert result.revenue["last_touch"] == cents(row["last_touch"])
        assert abs(result.revenue["linear"] - cents(row["linear"])) <= CENT
    assert totals.spend == sum((cents(r["spend"]) for r in want.values()), Decimal(0))


@postgres_only
@pytest.mark.parametrize(("since", "until"), WINDOWS)
def test_one_pass_credits_equal_the_four_queries(world, since, until):
    """PostgreSQL's one revenue statement == the four queries SQLite runs, to the cent,
    over several currencies and leads with zero to four touches."""
    window = Window(since, until)
    one_pass = metrics._credits_in_one_pass(window)
    four = metrics._credits_in_four_queries(window)

    assert one_pass == four
    won = Deal.objects.filter(status="won", closed_on__range=(since, until))
    assert (sum(one_pass["linear"].values()) > 0) == won.exists()
    assert won.exists() == won.exclude(currency="USD").exists()


def test_foreign_amounts_change_the_figures(world):
    """Not a tautology: the same data read as if every amount were USD differs."""
    window = Window(date(2026, 1, 1), date(2027, 12, 31))
    _, totals = campaign_results(window=window)
    face_value = sum(s.amount for s in Spend.objects.all())
    assert Spend.objects.exclude(currency="USD").exists()
    assert totals.spend != face_value


def test_quota_board_converts_won_deals_at_their_close_date(world):
    reps, _ = world
    period = period_containing("quarter", date(2027, 2, 1))
    board = quota_board(period=period, today=date(2027, 3, 31))
    rates = Rates()
    won = defaultdict(Decimal)
    for deal in Deal.objects.filter(
        status="won", closed_on__range=(period.starts_on, period.ends_on)
    ):
        won[deal.owner_id] += deal.amount * rates.on(deal.currency, deal.closed_on)

    assert {row.rep.pk: row.progress.won for row in board.rows} == {
        rep.pk: cents(won[rep.pk]) for rep in reps
    }
    assert board.team.won == cents(sum(won.values(), Decimal(0)))


def test_open_pipeline_converts_at_today(world):
    reps, _ = world
    rates = Rates()
    today = timezone.localdate()
    for rep in reps:
        open_deals = Deal.objects.filter(owner=rep, status="open")
        want = sum((d.amount * rates.on(d.currency, today) for d in open_deals), Decimal(0))
        assert my_work(user=rep).open_pipeline == cents(want)


def test_the_rate_on_the_day_counts_and_a_later_one_does_not(settings):
    settings.FUNNEL_CURRENCY = "USD"
    rate("EUR", "2027-03-01", "1.10000000")
    rate("EUR", "2027-03-02", "1.20000000")
    rate("EUR", "2027-03-03", "1.30000000")
    campaign = CampaignFactory()
    SpendFactory(campaign=campaign, day=date(2027, 3, 2), amount=Decimal("100.00"), currency="EUR")
    SpendFactory(campaign=campaign, day=date(2027, 3, 2), amount=Decimal("10.00"), currency="USD")

    results, _ = campaign_results(window=Window(date(2027, 3, 1), date(2027, 3, 31)))
    assert next(r for r in results if r.campaign == campaign).spend == Decimal("130.00")
