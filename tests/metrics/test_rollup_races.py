"""Refreshes running while other processes move leads never lose a move: the rollups plus
the days still pending always equal the live figures (PostgreSQL only)."""

import threading
from dataclasses import asdict
from datetime import date

import pytest
from django.db import connection

from funnel.metrics import selectors
from funnel.metrics.grouping import GroupBy
from funnel.metrics.rollup_refresh import rollups_refresh
from funnel.metrics.window import Window
from tests.funnel.test_concurrency import create_leads, run_movers
from tests.support import postgres_only

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]

WINDOW = Window(date(2000, 1, 1), date(2099, 12, 31))


def _reports() -> tuple[dict, dict]:
    from_rollups = selectors.funnel_report(window=WINDOW, group_by=GroupBy.MONTH)
    real = selectors.rollup_usable
    selectors.rollup_usable = lambda **kwargs: False
    try:
        live = selectors.funnel_report(window=WINDOW, group_by=GroupBy.MONTH)
    finally:
        selectors.rollup_usable = real
    return asdict(from_rollups), asdict(live)


def test_refreshes_during_concurrent_moves_lose_nothing():
    lead_ids = create_leads()
    rollups_refresh()
    movers = threading.Thread(
        target=run_movers,
        args=([("bulk", "prospect"), ("single", "disqualified"), ("bulk", "lost")], lead_ids),
    )
    movers.start()
    refreshes = 0
    try:
        while movers.is_alive():
            rollups_refresh()
            refreshes += 1
    finally:
        movers.join()
        connection.close()
    assert refreshes >= 2

    from_rollups, live = _reports()  # whatever the last refresh missed is still pending
    assert from_rollups == live
    assert live["totals"]["flow"]["prospect"] > 0
    rollups_refresh()
    from_rollups, live = _reports()
    assert from_rollups == live


def test_two_refreshes_at_once_take_turns():
    create_leads()
    errors = []

    def refresh():
        try:
            rollups_refresh(full=True)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=refresh) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    from_rollups, live = _reports()
    assert from_rollups == live
    assert live["totals"]["cohort"] == 2000
