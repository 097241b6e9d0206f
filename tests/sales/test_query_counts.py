"""Every sales list, page section and selector costs a fixed number of queries, whatever
the number of rows (measured with a few rows, then with many more)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sales.selectors import board, my_work
from tests.sales.factories import (
    ActivityFactory,
    DealFactory,
    EnrolmentFactory,
    QuotaFactory,
    SequenceFactory,
    TaskFactory,
    prospect,
    won_deal,
)

pytestmark = pytest.mark.django_db


def grow(rep, n: int) -> None:
    """n more of every record for `rep`."""
    for _ in range(n):
        lead = prospect(owner=rep)
        DealFactory(lead=lead)
        ActivityFactory(lead=lead)
        TaskFactory(lead=lead, due_at=timezone.now() - timedelta(days=1))
        TaskFactory(lead=lead, due_at=timezone.now() + timedelta(minutes=1))
        EnrolmentFactory(lead=lead, sequence=SequenceFactory(owner=rep))
        customer = won_deal(prospect(owner=rep)).lead
        DealFactory(lead=customer)  # repeat business in progress
    QuotaFactory(owner=rep, on=timezone.localdate() - timedelta(days=40 * n))


def count(call) -> int:
    with CaptureQueriesContext(connection) as context:
        call()
    return len(context)


# Token + user (1), the user's roles (1), the page (1), plus a prefetch where listed.
LISTS = {
    "/api/v1/deals/": 3,
    "/api/v1/activities/": 3,
    "/api/v1/sequences/": 4,  # + the steps of the page's sequences
    "/api/v1/enrolments/": 3,
    "/api/v1/quotas/": 3,
    "/api/v1/metrics/quotas/": 5,  # + reps, the period's quotas, won sums per owner
    "/api/v1/deals/?repeat=true": 3,
    "/api/v1/activities/?overdue=true": 3,
}


@pytest.mark.parametrize(("url", "expected"), LISTS.items())
def test_api_lists_cost_a_fixed_number_of_queries(api, rep, url, expected):
    client = api(rep)
    grow(rep, 2)
    assert count(lambda: client.get(url)) == expected
    grow(rep, 6)
    response = client.get(url)
    assert response.status_code == 200
    assert count(lambda: client.get(url)) == expected


def test_timeline_api_costs_a_fixed_number_of_queries(api, rep):
    lead = prospect(owner=rep)
    client = api(rep)
    url = f"/api/v1/leads/{lead.pk}/timeline/?page_size=100"
    for _ in range(3):
        DealFactory(lead=lead)
        ActivityFactory(lead=lead)
    small = count(lambda: client.get(url))
    for _ in range(20):
        DealFactory(lead=lead)
        ActivityFactory(lead=lead)
    # Token, roles, the lead, the union of keys, stage changes, activities, deals.
    assert small == count(lambda: client.get(url)) == 7


def test_my_work_costs_eight_queries(rep, django_assert_num_queries):
    grow(rep, 2)
    rep = type(rep).objects.get(pk=rep.pk)
    # overdue, today, prospects, their bounded count, open deals, pipeline sum,
    # quotas now (with won sums); the user's roles are not needed.
    with django_assert_num_queries(7):
        work = my_work(user=rep)
    assert work.overdue.rows and work.today.rows and work.prospects.rows
    grow(rep, 6)
    with django_assert_num_queries(7):
        my_work(user=rep)


def test_the_board_costs_seven_queries(rep, django_assert_num_queries):
    grow(rep, 2)
    # Five columns, plus the open deals of the two columns that show them.
    with django_assert_num_queries(7):
        columns = board(user=rep)
    assert {c.key: len(c.section.rows) for c in columns}["open_deal"] == 2
    grow(rep, 6)
    with django_assert_num_queries(7):
        board(user=rep)
