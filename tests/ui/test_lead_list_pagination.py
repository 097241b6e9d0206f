"""Keyset pagination of the lists: every row exactly once, in order, both ways, under any
sort and with ties; and a count that stops at "1,000+" instead of counting the table."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from leads import views
from leads.models import Lead
from tests import factories
from tests.ui.helpers import link, listed_ids


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 7)


def walk(client, url, params=None):
    """Follow "next" links to the end; return the pages' ids and the last response."""
    pages = []
    response = client.get(url, params or {})
    pages.append(listed_ids(response))
    while next_url := link(response, "next"):
        response = client.get(url + next_url)
        pages.append(listed_ids(response))
    return pages, response


@pytest.mark.parametrize(
    ("sort", "key"),
    [
        ("-created", lambda lead: (-lead.created_at.timestamp(), -lead.pk)),
        ("created", lambda lead: (lead.created_at.timestamp(), lead.pk)),
        ("-score", lambda lead: (-lead.score, -lead.pk)),
        ("name", lambda lead: (lead.last_name, lead.first_name, lead.pk)),
    ],
)
def test_pages_cover_every_row_once_in_order(login, manager, small_pages, sort, key):
    now = timezone.now()
    # Ties on every sort column, so the id tie-breaker matters.
    for i in range(30):
        factories.LeadFactory(
            created_at=now - timedelta(hours=i // 3),
            score=i % 4 * 10,
            last_name=["Adams", "Brown", "Clark"][i % 3],
            first_name="Sam",
        )
    pages, _ = walk(login(manager), reverse("leads:list"), {"sort": sort})
    assert [len(page) for page in pages] == [7, 7, 7, 7, 2]
    flat = [pk for page in pages for pk in page]
    assert flat == [lead.pk for lead in sorted(Lead.objects.all(), key=key)]


def test_previous_goes_back_to_the_same_rows(login, manager, small_pages):
    factories.LeadFactory.create_batch(20)
    client = login(manager)
    url = reverse("leads:list")
    first = client.get(url)
    second = client.get(url + link(first, "next"))
    third = client.get(url + link(second, "next"))
    back = client.get(url + link(third, "prev"))
    assert listed_ids(back) == listed_ids(second)
    back_again = client.get(url + link(back, "prev"))
    assert listed_ids(back_again) == listed_ids(first)
    assert link(back_again, "prev") is None
    assert link(third, "next") is None


def test_newer_older_labels_on_the_default_sort(login, manager, small_pages):
    factories.LeadFactory.create_batch(10)
    client = login(manager)
    html = client.get(reverse("leads:list")).content.decode()
    assert "Older" in html and "Newer" in html
    html = client.get(reverse("leads:list"), {"sort": "name"}).content.decode()
    assert "Next" in html and "Previous" in html


def test_pages_keep_the_filters(login, manager, small_pages, moved):
    campaign = factories.CampaignFactory()
    factories.LeadFactory.create_batch(10, source_campaign=campaign)
    factories.LeadFactory.create_batch(10)
    pages, _ = walk(login(manager), reverse("leads:list"), {"source_campaign": campaign.pk})
    flat = [pk for page in pages for pk in page]
    assert set(flat) == set(
        Lead.objects.filter(source_campaign=campaign).values_list("pk", flat=True)
    )


def test_a_single_page_has_no_pager(login, manager):
    factories.LeadFactory.create_batch(3)
    html = login(manager).get(reverse("leads:list")).content.decode()
    assert 'class="pagination"' not in html


def test_the_count_stops_at_one_thousand(login, manager):
    now = timezone.now()
    Lead.objects.bulk_create(
        Lead(email=f"bulk{i}@example.com", created_at=now - timedelta(seconds=i))
        for i in range(1001)
    )
    client = login(manager)

    def shown():
        return " ".join(client.get(reverse("leads:list")).content.decode().split())

    assert "1,000+ leads" in shown()
    Lead.objects.filter(email="bulk0@example.com").delete()
    assert "1,000 leads" in shown()
