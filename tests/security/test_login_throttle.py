"""Password logins are locked after repeated failures per username and address."""

import time

import pytest
from rest_framework.test import APIClient

from funnel.login_throttle import login_lockout_remaining
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_IP_FAILURE_LIMIT = 10
    settings.LOGIN_LOCKOUT_SECONDS = 600


def _login(client, username, password, ip="10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_after_the_limit_even_the_right_password_is_refused_with_a_clear_message(client, limits):
    user = UserFactory()
    failures = [_login(client, user.username, "wrong") for _ in range(3)]

    refused = _login(client, user.username, PASSWORD)

    assert "Please enter a correct username and password" in failures[0].content.decode()
    # The failure that locks already says so.
    assert "Too many failed sign-in attempts" in failures[2].content.decode()
    assert "Too many failed sign-in attempts" in refused.content.decode()
    assert "Try again in 10 minute(s)" in refused.content.decode()
    assert not _logged_in(client)


def test_fewer_failures_than_the_limit_do_not_lock(client, limits):
    user = UserFactory()
    for _ in range(2):
        _login(client, user.username, "wrong")

    response = _login(client, user.username, PASSWORD)

    assert response.status_code == 302
    assert _logged_in(client)


def test_a_success_clears_the_count(client, limits):
    user = UserFactory()
    for _ in range(2):
        _login(client, user.username, "wrong")
    _login(client, user.username, PASSWORD)
    client.logout()

    for _ in range(2):
        _login(client, user.username, "wrong")
    _login(client, user.username, PASSWORD)

    assert _logged_in(client)


def test_the_user_can_still_log_in_from_another_address(client, limits):
    user = UserFactory()
    for _ in range(3):
        _login(client, user.username, "wrong", ip="10.6.6.6")

    _login(client, user.username, PASSWORD, ip="10.0.0.2")

    assert _logged_in(client)


def test_usernames_are_matched_case_insensitively(client, limits):
    user = UserFactory()
    for variant in (user.username.upper(), user.username, user.username.title()):
        _login(client, variant, "wrong")

    _login(client, user.username, PASSWORD)

    assert not _logged_in(client)


def test_spraying_many_usernames_from_one_address_locks_the_address(client, limits):
    user = UserFactory()
    for n in range(10):
        _login(client, f"nobody{n}", "wrong")

    _login(client, user.username, PASSWORD)

    assert not _logged_in(client)


def test_the_lock_ends_after_the_lockout_period(client, limits):
    user = UserFactory()
    for _ in range(3):
        _login(client, user.username, "wrong")

    now = time.time()
    assert 590 <= login_lockout_remaining(username=user.username, ip="10.0.0.1", now=now) <= 600
    assert login_lockout_remaining(username=user.username, ip="10.0.0.1", now=now + 601) == 0


def test_the_api_token_endpoint_is_covered_too(limits):
    user = UserFactory()
    client = APIClient(REMOTE_ADDR="10.0.0.1")
    for _ in range(3):
        client.post("/api/v1/auth/token/", {"username": user.username, "password": "wrong"})

    refused = client.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD})

    # A locked token login is a 429 (tests/security/test_token_login_lockout.py).
    assert refused.status_code == 429
    assert "token" not in refused.json()


def test_the_admin_login_is_covered_too(client, limits):
    user = UserFactory(is_staff=True, is_superuser=True)
    for _ in range(3):
        client.post(
            "/admin/login/",
            {"username": user.username, "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
        )

    client.post(
        "/admin/login/", {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )

    assert not _logged_in(client)
