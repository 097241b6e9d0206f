"""On PostgreSQL the lead search is served by indexes, not a scan: prefixes (1-2 character
words) by the b-tree indexes of leads migration 0002, substrings by the trigram indexes of
0007, the header search's deals by sales 0003."""

import pytest
from django.db import connection

from leads.filters import LeadFilter
from leads.models import Lead
from sales.models import Deal
from tests.factories import LeadFactory
from tests.support import postgres_only

pytestmark = [postgres_only, pytest.mark.django_db]

PREFIX = {"lead_first_name_prefix_idx", "lead_last_name_prefix_idx", "lead_company_prefix_idx"}
TRIGRAM = {
    "lead_first_name_trgm_idx",
    "lead_last_name_trgm_idx",
    "lead_company_trgm_idx",
    "lead_email_trgm_idx",
}
PHONE = "lead_phone_digits_trgm_idx"


def _index_names(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [table])
        return {row[0] for row in cursor.fetchall()}


def _plan(queryset) -> str:
    with connection.cursor() as cursor:
        # A tiny test table is cheaper to scan; forbid that to see what can serve the query.
        cursor.execute("SET LOCAL enable_seqscan = off")
        return queryset.explain()


def test_search_indexes_exist():
    assert _index_names("leads_lead") >= PREFIX | TRIGRAM | {PHONE}
    assert "deal_title_trgm_idx" in _index_names("sales_deal")


def test_a_short_word_uses_the_prefix_indexes():
    LeadFactory.create_batch(20)
    plan = _plan(LeadFilter({"search": "lo"}, queryset=Lead.objects.order_by()).qs)

    assert all(name in plan for name in PREFIX), plan
    assert "leads_lead_email" in plan and "_like" in plan, plan


def test_a_substring_uses_the_trigram_indexes():
    LeadFactory.create_batch(20)
    plan = _plan(LeadFilter({"search": "wonka.example"}, queryset=Lead.objects.order_by()).qs)

    assert all(name in plan for name in TRIGRAM), plan
    assert "Seq Scan" not in plan, plan


def test_a_phone_number_uses_the_phone_digits_index():
    LeadFactory.create_batch(20)
    plan = _plan(LeadFilter({"search": "(555) 0142"}, queryset=Lead.objects.order_by()).qs)

    assert PHONE in plan, plan
    assert "Seq Scan" not in plan, plan


def test_deal_titles_use_their_trigram_index():
    plan = _plan(Deal.objects.filter(title__icontains="renewal").order_by())

    assert "deal_title_trgm_idx" in plan, plan
