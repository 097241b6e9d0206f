"""Refreshes running while another connection wins deals and logs back-dated touches never
lose a credit: the summary plus the days still pending always equal the live statement
(PostgreSQL only)."""

import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection

from funnel.metrics.rollup_refresh import rollups_refresh
from funnel.metrics.window import Window
from marketing import metrics
from marketing.models import Touch
from sales.models import Deal
from tests.factories import CampaignFactory, LeadFactory
from tests.marketing.factories import WonDealFactory
from tests.support import postgres_only

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]

WINDOW = Window(date(2026, 1, 1), date(2026, 12, 31))
START = datetime(2026, 1, 5, 9, tzinfo=UTC)


def _world(count: int):
    campaigns = CampaignFactory.create_batch(3)
    deals = []
    for n in range(count):
        lead = LeadFactory(
            email=f"race{n}@example.com",
            created_at=START + timedelta(days=n),
            source_campaign=campaigns[n % 3],
        )
        closed = START + timedelta(days=n + 3)
        deals.append(
            WonDealFactory(
                lead=lead,
                amount=Decimal(1000 + n) / 3,
                # Every other deal still open: the writer wins it.
                status="won" if n % 2 else "open",
                closed_at=closed if n % 2 else None,
                closed_on=closed.date() if n % 2 else None,
            )
        )
    return campaigns, deals


def _write(campaigns, deals) -> None:
    """One transaction per write, as requests and imports make them."""
    try:
        for n, deal in enumerate(deals):
            Touch.objects.create(
                lead_id=deal.lead_id,
                campaign=campaigns[(n + 1) % 3],
                kind="event_attended",
                at=START + timedelta(days=n, hours=1),  # before the close: back-dated
            )
            if deal.status == "open":
                closed = START + timedelta(days=n + 3)
                Deal.objects.filter(pk=deal.pk).update(
                    status="won", closed_at=closed, closed_on=closed.date()
                )
    finally:
        connection.close()


def test_refreshes_during_concurrent_writes_lose_no_credit(settings):
    settings.FUNNEL_CURRENCY = "USD"
    campaigns, deals = _world(120)
    rollups_refresh()
    writer = threading.Thread(target=_write, args=(campaigns, deals))
    writer.start()
    refreshes = 0
    try:
        while writer.is_alive():
            rollups_refresh()
            refreshes += 1
    finally:
        writer.join()
    assert refreshes >= 2

    live = metrics._credits_in_one_pass(WINDOW)
    assert metrics.revenue_credits(WINDOW) == live  # whatever was missed is still pending
    assert len(live["linear"]) == 3
    rollups_refresh()
    assert metrics.revenue_credits(WINDOW) == live
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM funnel_rollup_credit_dirty")
        assert cursor.fetchone()[0] == 0
