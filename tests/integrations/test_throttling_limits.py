"""Per-caller limits: a burst per 10 seconds and a daily one; 429 with Retry-After."""

import pytest
from rest_framework.test import APIClient

from tests.api.clients import token_client
from tests.integrations.api_key_clients import api_key_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    # An hour-long "burst" window: a slow run cannot cross into a new window mid-test
    # (window arithmetic itself is tested in test_throttling_counters.py).
    settings.FUNNEL_THROTTLE_RATES = {"burst": "3/hour", "daily": "5/day", "capture": "2/min"}


def test_the_request_over_the_burst_limit_is_429_with_retry_after(limits, manager):
    client = token_client(manager)

    statuses = [client.get("/api/v1/leads/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/v1/leads/")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert "throttled" in refused.json()["detail"].lower()


def test_each_caller_has_its_own_budget(limits, manager, marketer):
    first, second = token_client(manager), token_client(marketer)
    for _ in range(3):
        first.get("/api/v1/leads/")

    assert first.get("/api/v1/leads/").status_code == 429
    assert second.get("/api/v1/leads/").status_code == 200


def test_each_api_key_has_its_own_budget(limits):
    one, _, _ = api_key_client(name="One")
    two, _, _ = api_key_client(name="Two")
    for _ in range(3):
        one.get("/api/v1/leads/")

    assert one.get("/api/v1/leads/").status_code == 429
    assert two.get("/api/v1/leads/").status_code == 200


def test_the_daily_limit_holds_across_bursts(settings, manager):
    settings.FUNNEL_THROTTLE_RATES = {"burst": "100/hour", "daily": "4/day"}
    client = token_client(manager)

    statuses = [client.get("/api/v1/leads/").status_code for _ in range(5)]

    assert statuses == [200, 200, 200, 200, 429]
    # Until the next UTC midnight: at most a day.
    assert 1 <= int(client.get("/api/v1/leads/")["Retry-After"]) <= 86400


def test_writes_count_too_and_a_refused_write_writes_nothing(limits, manager):
    from leads.models import Lead

    client = token_client(manager)
    statuses = [
        client.post("/api/v1/leads/", {"email": f"l{n}@example.com"}).status_code for n in range(4)
    ]

    assert statuses == [201, 201, 201, 429]
    assert Lead.objects.count() == 3


def test_responses_carry_rate_limit_headers(limits, manager):
    client = token_client(manager)

    first = client.get("/api/v1/leads/")
    second = client.get("/api/v1/leads/")

    assert first["X-RateLimit-Limit"] == "3"
    assert first["X-RateLimit-Remaining"] == "2"
    assert second["X-RateLimit-Remaining"] == "1"
    assert 1 <= int(first["X-RateLimit-Reset"]) <= 3600
    assert first["X-RateLimit-Daily-Limit"] == "5"
    assert second["X-RateLimit-Daily-Remaining"] == "3"


def test_anonymous_requests_are_counted_per_address(limits):
    here, there = APIClient(REMOTE_ADDR="10.0.0.1"), APIClient(REMOTE_ADDR="10.0.0.2")

    # The schema is public, so anonymous requests reach the throttle.
    statuses = [here.get("/api/v1/schema/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    assert there.get("/api/v1/schema/").status_code == 200


def test_a_forged_forwarded_for_does_not_buy_a_new_budget(limits):
    for n in range(3):
        APIClient(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}").get("/api/v1/schema/")

    forged = APIClient(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="9.9.9.9")
    assert forged.get("/api/v1/schema/").status_code == 429
