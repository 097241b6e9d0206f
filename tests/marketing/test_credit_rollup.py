"""Campaign revenue credits from the summary (marketing.credit_rollup, PostgreSQL) against
the live statement and an exact computation in Python (fractions), before and after the
minute refresh, through writes that change credits: rates added for a past day, a
back-dated touch, a deal won and one reopened through the services, amounts and
currencies edited, touches moved and deleted, a source campaign changed, a lead and a
campaign deleted (docs/architecture.md, "Campaign results")."""

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from funnel.metrics.rollup_refresh import rollups_refresh
from funnel.metrics.window import Window
from funnel.services import lead_transition
from funnel.stages import Cause
from leads.models import Lead
from marketing import metrics
from marketing.metrics import campaign_results, revenue_credits
from marketing.models import Campaign, Touch
from sales.models import Deal
from sales.services import deal_reopen, deal_win
from tests.currencies.factories import rate
from tests.currencies.test_conversion_truth import Rates
from tests.factories import CampaignFactory, LeadFactory, ManagerFactory
from tests.marketing.factories import WonDealFactory
from tests.sales.factories import DealFactory
from tests.support import postgres_only

pytestmark = [pytest.mark.django_db, postgres_only]
UTC = ZoneInfo("UTC")
FIRST = date(2027, 1, 1)
WINDOWS = [
    Window(date(2027, 1, 1), date(2027, 3, 31)),
    Window(date(2027, 2, 1), date(2027, 2, 28)),
    Window(date(2026, 1, 1), date(2027, 12, 31)),
]


def cents(value: Fraction) -> Decimal:
    return (Decimal(round(value * 100)) / 100).quantize(Decimal("0.01"))


def exact_credits(window: Window) -> dict[str, dict[int | None, Decimal]]:
    """The definition, again, in exact fractions over the rows: first touch to the source
    campaign, last touch to the latest credited touch, linear in equal shares, both falling
    back to the source campaign; each figure rounded once (the fallback apart)."""
    rates = Rates()
    sums = {k: defaultdict(Fraction) for k in ("first", "last", "linear", "fallback")}
    won = Deal.objects.filter(status="won", closed_on__range=(window.since, window.until))
    for deal in won.select_related("lead"):
        value = Fraction(deal.amount) * Fraction(rates.on(deal.currency, deal.closed_on))
        source = deal.lead.source_campaign_id
        sums["first"][source] += value
        credited = sorted(
            (t.at, t.pk, t.campaign_id)
            for t in Touch.objects.filter(lead=deal.lead, campaign__isnull=False)
            if t.at <= deal.closed_at
        )
        if credited:
            sums["last"][credited[-1][2]] += value
            for *_, campaign_id in credited:
                sums["linear"][campaign_id] += value / len(credited)
        else:
            sums["last"][source] += value
            sums["fallback"][source] += value
    linear = set(sums["linear"]) | set(sums["fallback"])
    return {
        "first_touch": {k: cents(v) for k, v in sums["first"].items()},
        "last_touch": {k: cents(v) for k, v in sums["last"].items()},
        "linear": {
            k: cents(sums["linear"].get(k, 0)) + cents(sums["fallback"].get(k, 0)) for k in linear
        },
    }


def notes() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM funnel_rollup_credit_dirty")
        return cursor.fetchone()[0]


def assert_all_paths_agree():
    for window in WINDOWS:
        want = exact_credits(window)
        assert revenue_credits(window) == want, window
        assert metrics._credits_in_one_pass(window) == want, window
        assert metrics._credits_in_four_queries(window) == want, window


def assert_agree_before_and_after_refresh():
    assert_all_paths_agree()
    result = rollups_refresh()
    assert notes() == 0
    assert_all_paths_agree()
    return result


@pytest.fixture
def world(settings):
    settings.FUNNEL_CURRENCY = "USD"
    rng = random.Random(14)
    for day in range(-60, 120, 7):
        rate("EUR", FIRST + timedelta(days=day), Decimal(rng.randint(1050, 1120)) / 1000)
        rate("GBP", FIRST + timedelta(days=day + 2), Decimal(rng.randint(1200, 1300)) / 1000)
    campaigns = CampaignFactory.create_batch(4)
    for i in range(36):
        created = datetime.combine(FIRST + timedelta(days=rng.randint(-20, 60)), time(9), UTC)
        lead = LeadFactory(
            email=f"r{i}@example.com",
            created_at=created,
            source_campaign=rng.choice([None, *campaigns]),
        )
        for _ in range(i % 5):  # zero to four touches
            Touch.objects.create(
                lead=lead,
                campaign=rng.choice([None, *campaigns, *campaigns]),
                kind="page_visit",
                at=created + timedelta(days=rng.uniform(0, 12)),
            )
        lead_transition(
            lead_id=lead.pk,
            to_stage="prospect",
            cause=Cause.MANUAL,
            at=created + timedelta(hours=1),
        )
        closed = created + timedelta(days=rng.uniform(2, 30))
        status = rng.choice(["won", "won", "won", "lost", "open"])
        WonDealFactory(
            lead=lead,
            # Thirds and sevenths of a cent: linear shares that never divide evenly.
            amount=Decimal(rng.randint(0, 3000000)) / 100,
            currency=rng.choice(["USD", "EUR", "GBP"]),
            status=status,
            closed_at=None if status == "open" else closed,
            closed_on=None if status == "open" else closed.date(),
        )
    return campaigns


def test_the_summary_is_built_and_read(world):
    assert_agree_before_and_after_refresh()
    window = WINDOWS[2]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM funnel_rollup_credit")
        assert cursor.fetchone()[0] > 0
        # Not a tautology: the figures come from the summary's rows once it is built.
        cursor.execute("UPDATE funnel_rollup_credit SET amount = amount + 1 WHERE kind = 1")
    assert revenue_credits(window)["first_touch"] != exact_credits(window)["first_touch"]
    assert revenue_credits(window)["last_touch"] == exact_credits(window)["last_touch"]


def test_a_rate_added_for_a_past_day_changes_both_paths(world):
    assert_agree_before_and_after_refresh()
    window = WINDOWS[0]
    before = revenue_credits(window)
    eur = Deal.objects.filter(
        status="won", currency="EUR", closed_on__range=(FIRST, FIRST + timedelta(days=89))
    )
    day = eur.order_by("closed_on").first().closed_on
    rate("EUR", day, "2.5")  # a correction entered later, for that very day

    assert notes() == 0  # nothing to rebuild: amounts are converted when read
    assert revenue_credits(window) != before
    assert_all_paths_agree()


def test_a_back_dated_touch_after_the_refresh(world):
    campaigns = world
    assert_agree_before_and_after_refresh()
    deal = Deal.objects.filter(status="won", closed_on__gte=FIRST).order_by("pk").first()
    Touch.objects.create(
        lead=deal.lead,
        campaign=campaigns[3],
        kind="event_attended",
        at=deal.closed_at - timedelta(days=40),  # an import of last year's event
    )
    assert notes() == 1  # one note per statement, keyed by the lead
    result = assert_agree_before_and_after_refresh()
    assert result.credit_days == Deal.objects.filter(lead=deal.lead, status="won").count()


def test_a_touch_without_a_campaign_or_an_unrelated_edit_notes_nothing(world):
    assert_agree_before_and_after_refresh()
    deal = Deal.objects.filter(status="won").order_by("pk").first()
    Touch.objects.create(lead=deal.lead, kind="page_visit", at=deal.closed_at)
    Deal.objects.filter(pk=deal.pk).update(title="Renamed")
    Lead.objects.filter(pk=deal.lead_id).update(score=42)
    assert notes() == 0


def test_deals_won_and_reopened_through_the_services(world):
    campaigns = world
    assert_agree_before_and_after_refresh()
    manager = ManagerFactory()
    lead = LeadFactory(source_campaign=campaigns[0], created_at=datetime(2027, 1, 5, tzinfo=UTC))
    lead_transition(lead_id=lead.pk, to_stage="prospect", cause=Cause.MANUAL)
    Touch.objects.create(
        lead=lead, campaign=campaigns[1], kind="event_attended", at=lead.created_at
    )
    deal = DealFactory(
        lead=lead, amount=Decimal("1000.01"), owner=manager, created_at=lead.created_at
    )
    deal_win(
        deal_id=deal.pk,
        actor=manager,
        cause=Cause.MANUAL,
        closed_on=date(2027, 2, 3),
        at=datetime(2027, 2, 3, 15, tzinfo=UTC),
    )
    assert_all_paths_agree()
    reopened = Deal.objects.filter(status="won", closed_on__gte=FIRST).exclude(pk=deal.pk).first()
    deal_reopen(deal_id=reopened.pk, actor=manager, reason="Entered by mistake")
    assert notes() >= 2
    assert_agree_before_and_after_refresh()


def test_edits_moves_and_deletions(world):
    campaigns = world
    assert_agree_before_and_after_refresh()
    won = list(Deal.objects.filter(status="won").order_by("pk"))
    # An amount and a currency corrected, a close date moved.
    Deal.objects.filter(pk=won[0].pk).update(amount=Decimal("777.77"), currency="GBP")
    Deal.objects.filter(pk=won[1].pk).update(
        closed_on=won[1].closed_on + timedelta(days=9),
        closed_at=won[1].closed_at + timedelta(days=9),
    )
    assert_all_paths_agree()
    # A touch moved to another campaign, one moved in time, one deleted.
    touches = list(Touch.objects.filter(campaign__isnull=False).order_by("pk"))
    Touch.objects.filter(pk=touches[0].pk).update(campaign=campaigns[2])
    Touch.objects.filter(pk=touches[1].pk).update(at=touches[1].at + timedelta(days=45))
    Touch.objects.filter(pk=touches[2].pk).delete()
    assert_all_paths_agree()
    # A source campaign changed (first touch and the fallback).
    lead = won[2].lead
    lead.source_campaign = next(c for c in campaigns if c.pk != lead.source_campaign_id)
    lead.save()
    assert_agree_before_and_after_refresh()
    # A lead deleted with its deals and touches; a campaign deleted (its touches and
    # leads lose it).
    won[3].lead.delete()
    Campaign.objects.filter(pk=campaigns[1].pk).delete()
    assert notes() > 0
    assert_agree_before_and_after_refresh()


def test_campaign_results_read_the_summary_with_the_same_queries(world, django_assert_num_queries):
    rollups_refresh()
    window = WINDOWS[0]
    live, _ = campaign_results(window=window)
    Touch.objects.create(
        lead=Deal.objects.filter(status="won").first().lead,
        campaign=world[0],
        kind="event_attended",
        at=datetime(2026, 6, 1, tzinfo=UTC),
    )
    # campaigns, cohort state and cohort (keyed day cohorts), spend, revenue credits (one
    # statement), promotions none listed
    with django_assert_num_queries(5):
        results, totals = campaign_results(window=window)
    want = exact_credits(window)
    for result in results:
        key = result.campaign.pk if result.campaign else None
        for model in metrics.MODELS:
            assert result.revenue[model] == want[model].get(key, Decimal("0.00"))
    assert totals.revenue["first_touch"] == sum(want["first_touch"].values(), Decimal(0))
    assert len(live) == len(results)


@pytest.mark.parametrize("url", ["/dashboard/campaigns/", "/api/v1/metrics/campaigns/"])
def test_the_roi_page_and_api_cost_the_same_statements_built_or_not(world, client, url):
    """Not built (everything live), built, and built with days pending: the same number
    of statements, and the same figures (the page's context, the API's JSON)."""
    client.force_login(ManagerFactory())
    params = {"since": "2027-01-01", "until": "2027-03-31"}

    def fetch():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params)
        assert response.status_code == 200
        if url.startswith("/api/"):
            return len(queries), response.json()
        rows = response.context["results"]
        return len(queries), [(r.campaign and r.campaign.pk, r.revenue) for r in rows]

    live = fetch()
    rollups_refresh()
    assert fetch() == live
    Touch.objects.create(
        lead=Deal.objects.filter(status="won", closed_on__gte=FIRST).first().lead,
        campaign=world[0],
        kind="event_attended",
        at=datetime(2026, 6, 1, tzinfo=UTC),
    )
    pending = fetch()
    assert pending[0] == live[0]
    assert notes() == 1


def _cohort_columns(results):
    return {
        (r.campaign.pk if r.campaign else None): (r.leads, r.prospects, r.customers)
        for r in results
    }


def _cohorts_read_live(window):
    """The same figures with the summaries' state row gone: everything read live."""
    with connection.cursor() as cursor:
        cursor.execute("SAVEPOINT live; DELETE FROM funnel_rollup_state")
    try:
        return _cohort_columns(campaign_results(window=window)[0])
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ROLLBACK TO SAVEPOINT live")


def test_campaign_leads_prospects_customers_from_the_keyed_cohorts(world):
    """Leads, prospects and customers per campaign come from the keyed day cohorts once
    built, == the live count, also with a lead whose campaign changed and a new lead
    (their days pending) before the next refresh."""
    rollups_refresh()
    window = WINDOWS[2]
    summarised = _cohort_columns(campaign_results(window=window)[0])
    assert summarised == _cohorts_read_live(window)
    assert sum(leads for leads, _, _ in summarised.values()) == Lead.objects.count()
    # Not a tautology: once built, the figures come from the keyed rows.
    with connection.cursor() as cursor:
        cursor.execute("SAVEPOINT broken; UPDATE funnel_keyed_cohort SET cohort = cohort + 1")
    assert _cohort_columns(campaign_results(window=window)[0]) != summarised
    with connection.cursor() as cursor:
        cursor.execute("ROLLBACK TO SAVEPOINT broken")

    moved = Lead.objects.exclude(source_campaign=None).first()
    Lead.objects.filter(pk=moved.pk).update(
        source_campaign=world[3] if moved.source_campaign_id != world[3].pk else world[0]
    )
    LeadFactory(
        email="late@example.com",
        created_at=datetime(2027, 2, 3, 12, tzinfo=UTC),
        source_campaign=world[1],
    )
    pending = _cohort_columns(campaign_results(window=window)[0])
    assert pending == _cohorts_read_live(window) != summarised
    rollups_refresh()
    assert _cohort_columns(campaign_results(window=window)[0]) == pending
