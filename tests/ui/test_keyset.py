"""funnel.keyset on its own: tolerant of any cursor, exact at page edges."""

from datetime import timedelta

import pytest
from django.utils import timezone

from funnel.keyset import bounded_count, keyset_page
from leads.models import Lead
from tests import factories

ORDER = ("-created_at", "-id")


@pytest.fixture
def leads(db):
    now = timezone.now()
    return [factories.LeadFactory(created_at=now - timedelta(minutes=i)) for i in range(5)]


def test_exact_multiple_of_the_page_size_has_no_empty_last_page(leads):
    first = keyset_page(Lead.objects.all(), ordering=ORDER, cursor=None, page_size=5)
    assert [lead.pk for lead in first.rows] == [lead.pk for lead in leads]
    assert first.next_cursor is None
    assert first.previous_cursor is None


def test_next_and_previous_cursors_round_trip(leads):
    first = keyset_page(Lead.objects.all(), ordering=ORDER, cursor=None, page_size=2)
    second = keyset_page(Lead.objects.all(), ordering=ORDER, cursor=first.next_cursor, page_size=2)
    assert [lead.pk for lead in second.rows] == [leads[2].pk, leads[3].pk]
    back = keyset_page(
        Lead.objects.all(), ordering=ORDER, cursor=second.previous_cursor, page_size=2
    )
    assert [lead.pk for lead in back.rows] == [leads[0].pk, leads[1].pk]
    assert back.previous_cursor is None


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "%%%",
        "bm90IGpzb24",  # "not json"
        "WyJuIixbXV0",  # ["n",[]]: wrong arity
        "WyJ4IixbIjIwMjYtMDEtMDEiLDFdXQ",  # unknown direction
        "WyJuIixbImJhZCBkYXRlIiwxXV0",  # unparsable date
        "WyJuIixbbnVsbCwxXV0",  # null
        "eyJhIjoxfQ",  # {"a":1}
    ],
)
def test_unreadable_cursor_gives_the_first_page(leads, cursor):
    page = keyset_page(Lead.objects.all(), ordering=ORDER, cursor=cursor, page_size=2)
    assert [lead.pk for lead in page.rows] == [leads[0].pk, leads[1].pk]


def test_cursor_past_the_end_falls_back_to_the_first_page(leads):
    last = keyset_page(Lead.objects.all(), ordering=ORDER, cursor=None, page_size=4)
    tail = keyset_page(Lead.objects.all(), ordering=ORDER, cursor=last.next_cursor, page_size=4)
    assert [lead.pk for lead in tail.rows] == [leads[4].pk]
    leads[4].delete()
    again = keyset_page(Lead.objects.all(), ordering=ORDER, cursor=last.next_cursor, page_size=4)
    assert [lead.pk for lead in again.rows] == [lead.pk for lead in leads[:4]]


def test_bounded_count(leads, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert bounded_count(Lead.objects.all(), limit=3) == 4
    assert bounded_count(Lead.objects.all(), limit=10) == 5
