"""The header search ranks leads: the exact email first, then names starting with the first
word, then every other match, newest first; at most `lead_limit`, saying when there are more."""

from datetime import UTC, datetime, timedelta

import pytest

from search.selectors import leads_find
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def at(days: int) -> datetime:
    return T0 + timedelta(days=days)


def names(found) -> list[str]:
    return [lead.last_name for lead in found.rows]


def test_exact_email_then_name_prefix_then_recency(manager):
    LeadFactory(first_name="Al", last_name="Newest", company="Wonka", created_at=at(9))
    LeadFactory(first_name="Wonka", last_name="Prefix", company="Other", created_at=at(1))
    LeadFactory(
        first_name="Bo", last_name="Exact", company="X", email="wonka@x.io", created_at=at(0)
    )
    LeadFactory(first_name="Cy", last_name="Older", company="Big Wonka", created_at=at(5))
    LeadFactory(first_name="Di", last_name="Nothing", company="Globex", created_at=at(10))

    # "wonka@x.io" is exact for one lead; "wonka" alone is in three companies and a name.
    assert names(leads_find(user=manager, text="wonka@x.io")) == ["Exact"]
    assert names(leads_find(user=manager, text="wonka")) == ["Prefix", "Newest", "Older", "Exact"]
    assert names(leads_find(user=manager, text="WONKA@X.IO")) == ["Exact"]


def test_a_lead_matching_several_ranks_appears_once_at_its_best(manager):
    LeadFactory(first_name="Ada", last_name="One", email="ada@ada.io", created_at=at(0))
    LeadFactory(first_name="Ada", last_name="Two", created_at=at(1))

    assert names(leads_find(user=manager, text="ada@ada.io")) == ["One"]
    assert names(leads_find(user=manager, text="ada")) == ["Two", "One"]


def test_limit_and_more(manager):
    for day in range(4):
        LeadFactory(company="Initech", last_name=f"L{day}", created_at=at(day))

    found = leads_find(user=manager, text="initech", limit=3)
    assert names(found) == ["L3", "L2", "L1"] and found.more

    found = leads_find(user=manager, text="initech", limit=4)
    assert len(found.rows) == 4 and not found.more


def test_several_words_rank_by_recency_after_the_exact_email(manager):
    LeadFactory(first_name="Grace", last_name="Hopper", company="Navy", created_at=at(0))
    LeadFactory(first_name="Grace", last_name="Smith", company="Hopper Inc", created_at=at(5))
    LeadFactory(first_name="Walter", last_name="Hopper", company="Grace Ltd", created_at=at(9))

    found = leads_find(user=manager, text="grace hop")

    names = [f"{lead.first_name} {lead.last_name}" for lead in found.rows]
    assert names == ["Walter Hopper", "Grace Smith", "Grace Hopper"]
