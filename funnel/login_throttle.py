"""Brute-force protection for password logins (web login, admin, API token endpoint).

After LOGIN_FAILURE_LIMIT failed attempts for one username from one address, that pair is
locked for LOGIN_LOCKOUT_SECONDS; an address that fails LOGIN_IP_FAILURE_LIMIT times
across any usernames (password spraying) is locked as a whole. Counting per username and
address, not per username alone, means an attacker cannot lock a real user out from
elsewhere. A successful login clears the pair's count.

The check lives in the authentication backend, so every path that calls
`django.contrib.auth.authenticate` with a request is covered; the web login form also says
clearly why it refuses. Counters are in the Django cache (Redis in production, shared by
all web processes), falling back to process memory while it is down (funnel/counters.py).
"""

import hashlib
import math
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError

from funnel.counters import counters
from funnel.throttling import client_ip


def _pair_key(username: str, ip: str) -> str:
    # Hashed: usernames are user input of any length and characters.
    digest = hashlib.sha256(f"{username.strip().lower()}\0{ip}".encode()).hexdigest()[:40]
    return f"login:pair:{digest}"


def _ip_key(ip: str) -> str:
    return f"login:ip:{hashlib.sha256(ip.encode()).hexdigest()[:40]}"


def login_lockout_remaining(*, username: str, ip: str, now: float | None = None) -> int:
    """Seconds until `username` may try again from `ip`; 0 if not locked."""
    now = time.time() if now is None else now
    locked_until = max(
        counters.get(f"{_pair_key(username, ip)}:lock", 0), counters.get(f"{_ip_key(ip)}:lock", 0)
    )
    return max(math.ceil(locked_until - now), 0)


def login_failure_record(*, username: str, ip: str, now: float | None = None) -> None:
    now = time.time() if now is None else now
    period = settings.LOGIN_LOCKOUT_SECONDS
    for key, limit in (
        (_pair_key(username, ip), settings.LOGIN_FAILURE_LIMIT),
        (_ip_key(ip), settings.LOGIN_IP_FAILURE_LIMIT),
    ):
        # Failures count for one lockout period after the first of them.
        counters.add(f"{key}:fails", 0, timeout=period)
        try:
            failures = counters.incr(f"{key}:fails")
        except ValueError:
            counters.add(f"{key}:fails", 1, timeout=period)
            failures = 1
        if failures >= limit:
            counters.set(f"{key}:lock", now + period, timeout=period)
            counters.delete(f"{key}:fails")


def login_failures_clear(*, username: str, ip: str) -> None:
    counters.delete(f"{_pair_key(username, ip)}:fails")


class ThrottledModelBackend(ModelBackend):
    """ModelBackend that refuses (without checking the password) while locked, and counts
    failures. Calls without a request (test clients, shell) are not throttled."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if request is None or username is None:
            return super().authenticate(request, username=username, password=password, **kwargs)
        ip = client_ip(request)
        if login_lockout_remaining(username=username, ip=ip):
            # Stops every backend: Django's authenticate() then reports a failed login.
            raise PermissionDenied("Too many failed login attempts.")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            login_failure_record(username=username, ip=ip)
        else:
            login_failures_clear(username=username, ip=ip)
        return user


class ThrottledAuthenticationForm(AuthenticationForm):
    """The login form, saying plainly when and why sign-in is paused."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": (
            "Too many failed sign-in attempts. For your security, sign-in for this account "
            "from your network is paused. Try again in %(minutes)s minute(s), or ask a "
            "manager to reset your password."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        if username is not None and self.request is not None:
            self._refuse_if_locked(username)
        try:
            return super().clean()
        except ValidationError:
            # The failure just recorded may be the one that locks: say so now.
            if username is not None and self.request is not None:
                self._refuse_if_locked(username)
            raise

    def _refuse_if_locked(self, username: str) -> None:
        remaining = login_lockout_remaining(username=username, ip=client_ip(self.request))
        if remaining:
            raise ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": math.ceil(remaining / 60)},
            )
