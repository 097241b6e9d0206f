"""On PostgreSQL the lead search is served by indexes (leads migration 0002), not a scan."""

import pytest
from django.db import connection

from leads.filters import LeadFilter
from leads.models import Lead
from tests.factories import LeadFactory
from tests.support import postgres_only

pytestmark = [postgres_only, pytest.mark.django_db]

INDEXES = {"lead_first_name_prefix_idx", "lead_last_name_prefix_idx", "lead_company_prefix_idx"}


def test_search_prefix_indexes_exist():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'leads_lead'")
        names = {row[0] for row in cursor.fetchall()}

    assert names >= INDEXES


def test_the_search_query_can_use_them():
    LeadFactory.create_batch(20)
    search = LeadFilter({"search": "lov"}, queryset=Lead.objects.order_by()).qs

    with connection.cursor() as cursor:
        # A tiny test table is cheaper to scan; forbid that to see what can serve the query.
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = search.explain()

    assert all(name in plan for name in INDEXES), plan
    assert "leads_lead_email" in plan and "_like" in plan, plan
