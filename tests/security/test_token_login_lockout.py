"""A locked token login says so: 429, Retry-After, and a message about the lock, not the
"Unable to log in" that a wrong password gets (docs/api.md, "Rate limits")."""

import pytest
import time_machine
from rest_framework.test import APIClient

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/auth/token/"


@pytest.fixture
def limits(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_IP_FAILURE_LIMIT = 10
    settings.LOGIN_LOCKOUT_SECONDS = 600


def _token(client, username, password):
    return client.post(URL, {"username": username, "password": password}, format="json")


@time_machine.travel("2026-12-04 10:00:00+00:00", tick=False)
def test_a_locked_login_is_a_429_that_says_when_to_retry(limits):
    user = UserFactory()
    client = APIClient(REMOTE_ADDR="10.0.0.1")
    failures = [_token(client, user.username, "wrong") for _ in range(3)]

    refused = _token(client, user.username, PASSWORD)

    assert [f.status_code for f in failures[:2]] == [400, 400]
    assert "Unable to log in" in str(failures[0].json())
    # The failure that locks already says so.
    assert failures[2].status_code == 429
    assert refused.status_code == 429
    assert refused["Retry-After"] == "600"
    body = refused.json()
    assert "token" not in body
    assert "temporarily locked" in body["detail"]
    assert "Try again in 10 minute(s)" in body["detail"]


def test_the_lock_ends_after_the_lockout_period(limits):
    user = UserFactory()
    client = APIClient(REMOTE_ADDR="10.0.0.1")
    with time_machine.travel("2026-12-04 10:00:00+00:00", tick=False):
        for _ in range(3):
            _token(client, user.username, "wrong")
    with time_machine.travel("2026-12-04 10:09:00+00:00", tick=False):
        assert _token(client, user.username, PASSWORD)["Retry-After"] == "60"
    with time_machine.travel("2026-12-04 10:10:01+00:00", tick=False):
        response = _token(client, user.username, PASSWORD)

    assert response.status_code == 200
    assert response.json()["token"]


def test_a_wrong_password_below_the_limit_is_still_a_plain_400(limits):
    user = UserFactory()

    response = _token(APIClient(REMOTE_ADDR="10.0.0.1"), user.username, "wrong")

    assert response.status_code == 400
    assert "Retry-After" not in response
