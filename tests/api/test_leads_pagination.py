import base64
from datetime import timedelta

import pytest
from django.utils import timezone

from funnel.pagination import CursorPagination
from tests.api.clients import token_client
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def twelve_leads(db):
    now = timezone.now()
    # Two share a creation time: the id breaks the tie, so no row is lost or repeated.
    leads = [LeadFactory(created_at=now - timedelta(hours=i)) for i in range(11)]
    leads.append(LeadFactory(created_at=leads[4].created_at))
    return leads


def test_cursor_pages_walk_every_lead_once_newest_first(manager, twelve_leads):
    client = token_client(manager)
    seen, url, pages = [], "/api/v1/leads/?page_size=5", 0
    while url:
        body = client.get(url).json()
        assert set(body) == {"next", "previous", "results"}
        seen += [row["id"] for row in body["results"]]
        url, pages = body["next"], pages + 1

    assert pages == 3
    assert len(seen) == len(set(seen)) == 12
    expected = sorted(twelve_leads, key=lambda lead: (lead.created_at, lead.pk), reverse=True)
    assert seen == [lead.pk for lead in expected]


def test_previous_link_goes_back(manager, twelve_leads):
    client = token_client(manager)
    first = client.get("/api/v1/leads/", {"page_size": 5}).json()
    second = client.get(first["next"]).json()

    back = client.get(second["previous"]).json()

    assert first["previous"] is None
    assert [r["id"] for r in back["results"]] == [r["id"] for r in first["results"]]


def test_default_page_size(manager):
    LeadFactory.create_batch(CursorPagination.page_size + 1)

    body = token_client(manager).get("/api/v1/leads/").json()

    assert len(body["results"]) == CursorPagination.page_size
    assert body["next"] is not None


@pytest.mark.parametrize("page_size", [str(CursorPagination.max_page_size + 1), "10" * 40])
def test_page_size_is_capped(manager, page_size):
    LeadFactory.create_batch(CursorPagination.max_page_size + 1)

    response = token_client(manager).get("/api/v1/leads/", {"page_size": page_size})

    assert response.status_code == 200
    assert len(response.json()["results"]) == CursorPagination.max_page_size


@pytest.mark.parametrize("page_size", ["0", "-5", "abc", "1.5", "", "null", " 5"])
def test_nonsense_page_size_is_a_400_naming_it(manager, page_size):
    LeadFactory.create_batch(3)

    response = token_client(manager).get("/api/v1/leads/", {"page_size": page_size})

    assert response.status_code == 400
    assert "page_size" in response.json()


@pytest.mark.parametrize("cursor", ["garbage", "%00", "x" * 5000])
def test_invalid_cursor_is_404_not_500(manager, cursor):
    LeadFactory()

    response = token_client(manager).get("/api/v1/leads/", {"cursor": cursor})

    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid cursor"}


@pytest.mark.parametrize("position", ["2025", "not-a-date", "\x00", "9" * 400])
def test_forged_cursor_position_is_a_4xx_not_500(manager, position):
    LeadFactory()
    forged = base64.b64encode(f"p={position}".encode()).decode()

    response = token_client(manager).get("/api/v1/leads/", {"cursor": forged})

    assert response.status_code in (400, 404)
    assert response.json()


@pytest.mark.parametrize("url", ["/api/v1/prospects/", "/api/v1/customers/"])
def test_stage_lists_are_cursor_paginated_too(manager, url):
    body = token_client(manager).get(url, {"page_size": 1}).json()

    assert set(body) == {"next", "previous", "results"}
