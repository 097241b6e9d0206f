"""The sales pages cost a fixed number of queries whatever the number of rows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sales.teams.services import team_save
from tests.sales.factories import (
    ActivityFactory,
    DealFactory,
    QuotaFactory,
    SequenceFactory,
    TaskFactory,
    prospect,
    won_deal,
)

pytestmark = pytest.mark.django_db


def grow(rep, n):
    for _ in range(n):
        lead = prospect(owner=rep)
        DealFactory(lead=lead)
        ActivityFactory(lead=lead)
        TaskFactory(lead=lead, due_at=timezone.now() - timedelta(hours=30))
        customer = won_deal(prospect(owner=rep)).lead
        DealFactory(lead=customer)
    SequenceFactory()
    QuotaFactory(owner=rep, on=timezone.localdate() - timedelta(days=35 * n))


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context)


@pytest.mark.parametrize("name", ["sales:my_work", "sales:board"])
def test_rep_pages(client, rep, name):
    client.force_login(rep)
    grow(rep, 2)
    small = queries(client, reverse(name))
    grow(rep, 8)
    assert queries(client, reverse(name)) == small
    # Session, user, roles (1 each) plus the page's selector queries.
    assert small <= 12


def test_quota_page(client, manager, rep, other_rep):
    client.force_login(manager)
    grow(rep, 2)
    small = queries(client, reverse("sales:quotas"))
    grow(other_rep, 8)
    # Named teams with members and quotas cost nothing more either.
    for name, member in (("East", rep), ("West", other_rep)):
        team = team_save(actor=manager, name=name, manager_id=None, member_ids=[member.pk])
        QuotaFactory(owner=None, team=team, period="month", target=100)
    # Reps, the period's quotas, won sums, teams and their members: fixed statements.
    assert queries(client, reverse("sales:quotas")) == small <= 8


def test_lead_page_with_a_long_history(client, rep):
    client.force_login(rep)
    lead = prospect(owner=rep)
    for _ in range(3):
        ActivityFactory(lead=lead)
        DealFactory(lead=lead)
    small = queries(client, reverse("leads:detail", args=[lead.pk]))
    for _ in range(40):
        ActivityFactory(lead=lead)
        DealFactory(lead=lead)
    # Bounded, not equal: a page with fewer kinds of entry loads fewer kinds of row.
    assert queries(client, reverse("leads:detail", args=[lead.pk])) <= small
