"""Edits and moves of one deal at the same moment queue on its row lock: each history row's
previous close date is the row before it, so no push is counted twice or lost
(PostgreSQL only: SQLite serialises writers, so the race cannot happen there)."""

import itertools
import threading
from datetime import date, timedelta

import pytest
from django.db import connection

from funnel.stages import Cause
from sales.models import DealStageChange
from sales.pipeline.services import deal_move
from sales.services import deal_update
from tests.factories import RepFactory
from tests.sales.factories import DealFactory, prospect
from tests.support import postgres_only

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


def _at_once(calls) -> list[Exception]:
    barrier = threading.Barrier(len(calls))
    failures = []

    def work(call):
        try:
            barrier.wait()
            call()
        except Exception as exc:  # reported by the assertion below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return failures


@pytest.mark.parametrize("attempt", range(3))
def test_concurrent_edits_chain_their_previous_close_dates(attempt):
    rep = RepFactory()
    deal = DealFactory(lead=prospect(owner=rep), owner=rep, expected_close_on=date(2027, 5, 1))
    days = [date(2027, 5, 1) + timedelta(days=7 * n) for n in range(1, 5)]
    calls = [
        lambda day=day: deal_update(deal_id=deal.pk, actor=rep, expected_close_on=day)
        for day in days
    ]
    calls.append(lambda: deal_move(deal_id=deal.pk, to_stage="Demo", actor=rep, cause=Cause.API))
    assert _at_once(calls) == []

    rows = list(DealStageChange.objects.filter(deal=deal).order_by("at", "id"))
    assert len(rows) == 6  # creation, four edits, one move
    for before, row in itertools.pairwise(rows):
        assert row.previous_expected_close_on == before.expected_close_on
    # Each edit pushed the date out from whatever it was then: pushes add up to the end.
    pushed = sum(
        (r.expected_close_on - r.previous_expected_close_on).days
        for r in rows[1:]
        if r.expected_close_on > r.previous_expected_close_on
    )
    assert pushed >= (rows[-1].expected_close_on - date(2027, 5, 1)).days
