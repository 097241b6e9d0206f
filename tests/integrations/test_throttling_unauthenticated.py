"""Calls refused for want of credentials are rate-limited per client address: anonymous
ones spend the address's normal budget, bad credentials also a stricter one, so a token,
key or password cannot be guessed at full speed."""

import pytest
import time_machine
from rest_framework.test import APIClient

from tests.api.clients import token_client

pytestmark = pytest.mark.django_db
URL = "/api/v1/leads/"


def _client(authorization: str | None = None, ip: str = "10.0.0.1") -> APIClient:
    client = APIClient(REMOTE_ADDR=ip)
    if authorization:
        client.credentials(HTTP_AUTHORIZATION=authorization)
    return client


def test_anonymous_calls_are_counted_per_address(settings):
    settings.FUNNEL_THROTTLE_RATES = {"burst": "5/hour", "daily": "1000/day"}
    client = _client()

    responses = [client.get(URL) for _ in range(6)]

    assert [r.status_code for r in responses] == [401] * 5 + [429]
    assert responses[0]["X-RateLimit-Limit"] == "5"
    assert responses[4]["X-RateLimit-Remaining"] == "0"
    assert 1 <= int(responses[5]["Retry-After"]) <= 3600
    # Another address has its own budget.
    assert _client(ip="10.0.0.2").get(URL).status_code == 401


@pytest.mark.parametrize(
    "authorization", ["Token 0123456789abcdef0123456789abcdef01234567", "Api-Key nope.nope"]
)
def test_bad_credentials_spend_the_stricter_per_address_budget(settings, authorization):
    settings.FUNNEL_THROTTLE_RATES = {
        "burst": "1000/hour",
        "daily": "1000/day",
        "auth_failures": "3/hour",
    }
    client = _client(authorization)

    responses = [client.get(URL) for _ in range(5)]

    assert [r.status_code for r in responses] == [401, 401, 401, 429, 429]
    assert responses[2]["X-RateLimit-Auth-Failures-Remaining"] == "0"
    assert int(responses[3]["Retry-After"]) >= 1


def test_a_guessing_address_does_not_lock_out_a_real_caller(settings, manager):
    settings.FUNNEL_THROTTLE_RATES = {
        "burst": "1000/hour",
        "daily": "1000/day",
        "auth_failures": "2/hour",
    }
    guesser = _client("Token 0123456789abcdef0123456789abcdef01234567")
    for _ in range(3):
        guesser.get(URL)
    real = token_client(manager)

    assert guesser.get(URL).status_code == 429
    assert real.get(URL, REMOTE_ADDR="10.0.0.1").status_code == 200


@time_machine.travel("2026-12-04 10:00:00+00:00", tick=False)  # One window for all 40.
def test_the_default_limits_stop_a_burst_of_bad_tokens(settings):
    # The case: 120 bad-token calls in under a second were all 401s.
    from config.settings import base

    settings.FUNNEL_THROTTLE_RATES = base.FUNNEL_THROTTLE_RATES
    client = _client("Token 0123456789abcdef0123456789abcdef01234567")

    statuses = [client.get(URL).status_code for _ in range(40)]

    assert statuses.count(401) == 30
    assert statuses[30:] == [429] * 10
