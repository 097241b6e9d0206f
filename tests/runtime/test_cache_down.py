"""With the cache (Redis in production) down, the web UI and the API keep working: rate
limits and login lockouts count in process memory, one warning is logged rather than one
per request, and counting returns to the cache when it is back (funnel/counters.py)."""

import logging

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from rest_framework.test import APIClient

from leads.models import Lead
from tests.api.clients import token_client
from tests.factories import PASSWORD, CampaignFactory, UserFactory
from tests.runtime.down_cache import DOWN_CACHES, DownCache

pytestmark = pytest.mark.django_db
LIMITS = {"burst": "3/hour", "daily": "1000/day", "capture": "1000/min"}


@pytest.fixture
def cache_down():
    DownCache.DOWN = True
    with override_settings(CACHES=DOWN_CACHES, FUNNEL_THROTTLE_RATES=LIMITS):
        yield
    DownCache.DOWN = True


def _warnings(caplog):
    return [r for r in caplog.records if r.name == "funnel.counters" and r.levelname == "WARNING"]


def test_the_api_answers_and_still_limits_per_process(cache_down, manager, caplog):
    client = token_client(manager)

    responses = [client.get("/api/v1/leads/") for _ in range(4)]

    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert responses[0]["X-RateLimit-Remaining"] == "2"
    # Twelve counter calls failed; one warning says so.
    assert len(_warnings(caplog)) == 1
    assert "Cache unavailable" in _warnings(caplog)[0].getMessage()


def test_writes_and_capture_keep_working(cache_down, manager):
    created = token_client(manager).post("/api/v1/leads/", {"email": "ada@example.com"})
    captured = APIClient().post(
        "/api/v1/capture/",
        {"key": CampaignFactory().capture_key, "email": "grace@example.com"},
        format="json",
    )

    assert created.status_code == 201
    assert captured.status_code == 201
    assert Lead.objects.filter(email__in=["ada@example.com", "grace@example.com"]).count() == 2


def test_token_and_web_logins_work_and_lockouts_still_hold(cache_down, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    user, locked = UserFactory(), UserFactory()
    api = APIClient(REMOTE_ADDR="10.0.0.1")

    token = api.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD})
    web = Client().post("/login/", {"username": user.username, "password": PASSWORD})
    for _ in range(2):
        api.post("/api/v1/auth/token/", {"username": locked.username, "password": "wrong"})
    refused = api.post("/api/v1/auth/token/", {"username": locked.username, "password": PASSWORD})

    assert token.status_code == 200 and token.json()["token"]
    assert web.status_code == 302
    assert refused.status_code == 429


def test_counting_returns_to_the_cache_when_it_is_back(cache_down, settings, manager, caplog):
    settings.FUNNEL_COUNTERS_RETRY_SECONDS = 0
    client = token_client(manager)
    with caplog.at_level(logging.INFO, logger="funnel.counters"):
        assert client.get("/api/v1/leads/").status_code == 200
        DownCache.DOWN = False
        back = client.get("/api/v1/leads/")

    # The cache starts from zero: the count made in memory is not carried over.
    assert back.status_code == 200
    assert back["X-RateLimit-Remaining"] == "2"
    assert any(key.startswith(":1:throttle:burst:") for key in cache._cache)
    assert any("available again" in r.getMessage() for r in caplog.records)


def test_the_warning_is_repeated_only_after_its_interval(cache_down, settings, manager, caplog):
    settings.FUNNEL_COUNTERS_RETRY_SECONDS = 0  # Every call tries the cache, and fails.
    settings.FUNNEL_COUNTERS_WARNING_SECONDS = 3600
    client = token_client(manager)

    for _ in range(3):
        client.get("/api/v1/leads/")
    quiet = len(_warnings(caplog))
    settings.FUNNEL_COUNTERS_WARNING_SECONDS = 0  # The interval has passed.
    client.get("/api/v1/leads/")

    assert quiet == 1
    # The next warning counts the failures it stood for: the rest of the first three
    # requests (two limits, add and incr each) and this request's first call.
    assert "12 failure(s)" in _warnings(caplog)[1].getMessage()
