"""On PostgreSQL win rate and velocity read the deal history from the covering indexes of
sales migration 0011 alone (no heap visits): `dealchange_deal_to_idx` for the stages
each closed deal entered, `dealchange_velocity_idx` for the window's moves out of a
stage. The figures themselves are checked in test_metrics_truth.py."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sales.pipeline.metrics import velocity, win_rates
from sales.pipeline.stages import pipeline_default, stages_of
from tests.deals.test_metrics_truth import MARCH, history  # noqa: F401 (fixture)
from tests.support import postgres_only

pytestmark = [postgres_only, pytest.mark.django_db]


def _plan(selector) -> str:
    stages = stages_of(pipeline_default())
    with CaptureQueriesContext(connection) as queries:
        selector(stages=stages, window=MARCH)
    (query,) = queries.captured_queries
    with connection.cursor() as cursor:
        # A tiny test table is cheaper to scan; forbid that to see what can serve the query.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {query['sql']}")
        return "\n".join(row[0] for row in cursor.fetchall())


def test_win_rate_reads_the_history_from_its_index_alone(history):  # noqa: F811
    plan = _plan(win_rates)
    assert "Index Only Scan using dealchange_deal_to_idx" in plan, plan


def test_velocity_reads_the_history_from_its_index_alone(history):  # noqa: F811
    plan = _plan(velocity)
    assert "Index Only Scan using dealchange_velocity_idx" in plan, plan
