"""API rate limits: a burst limit per 10 seconds and a daily limit, per caller.

Counters are fixed windows in the Django cache, counted with `cache.add` + `cache.incr`:
on Redis (production, CACHE_URL) that is SET NX + INCRBY, atomic across every web process,
so N concurrent requests count N. A window's key carries its number, so a new window starts
from zero without a reset, and keys expire shortly after their window ends.

The caller is the authenticated user (an API key is its own service user, so each key has
its own budget); anonymous requests count per client IP (see `client_ip`). DRF checks
credentials and permissions before throttles, so a refused call (no or bad credentials)
would never be counted: `unauthenticated_throttle` counts it from the exception handler,
and bad credentials also spend a stricter per-address budget ("auth_failures") that makes
guessing keys, tokens or passwords slow. Limits are in
settings.FUNNEL_THROTTLE_RATES ("<count>/<period>", period like `10s`, `min`, `hour`,
`day`) and documented in docs/api.md. A refused request is a 429 with `Retry-After`, the
seconds until its window ends. Every API response carries `X-RateLimit-*` headers. If the
cache is down, counting falls back to process memory (funnel/counters.py).
"""

import math
import re
import time

from django.conf import settings
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from funnel.counters import counters

_RATE = re.compile(
    r"^\s*(?P<count>\d+)\s*/\s*(?P<n>\d*)\s*(?P<unit>s|sec|second|m|min|minute|h|hour|d|day)s?\s*$"
)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """`"100/10s"` → (100, 10); `"250000/day"` → (250000, 86400)."""
    match = _RATE.match(rate)
    if match is None:
        raise ValueError(f"Invalid rate {rate!r}: expected '<count>/<period>', e.g. '100/10s'.")
    seconds = int(match["n"] or 1) * _UNIT_SECONDS[match["unit"][0]]
    if seconds <= 0:
        raise ValueError(f"Invalid rate {rate!r}: the period must be positive.")
    return int(match["count"]), seconds


def client_ip(request) -> str:
    """The client's address. With NUM_PROXIES = 0 (default) only REMOTE_ADDR counts, so a
    client cannot pick its own bucket with a forged X-Forwarded-For; behind N trusted
    proxies set NUM_PROXIES = N to take the address the nearest proxy saw."""
    meta = request.META
    remote_addr = meta.get("REMOTE_ADDR", "") or "unknown"
    num_proxies = api_settings.NUM_PROXIES or 0
    forwarded = meta.get("HTTP_X_FORWARDED_FOR")
    if num_proxies <= 0 or not forwarded:
        return remote_addr
    addresses = [address.strip() for address in forwarded.split(",") if address.strip()]
    if not addresses:
        return remote_addr
    return addresses[-min(num_proxies, len(addresses))][:64]


def window_count(*, key: str, period: int, now: float) -> tuple[int, float]:
    """Count one hit in the current fixed window of `period` seconds for `key`. Returns
    the hits so far in this window (this one included) and the seconds until it ends."""
    window = int(now // period)
    cache_key = f"throttle:{key}:{period}:{window}"
    # Expires a little after its window ends; a later window uses another key.
    counters.add(cache_key, 0, timeout=period + 5)
    try:
        count = counters.incr(cache_key)
    except ValueError:  # Evicted between add and incr.
        counters.add(cache_key, 1, timeout=period + 5)
        count = 1
    return count, (window + 1) * period - now


class FixedWindowThrottle(BaseThrottle):
    """A limit named by `scope` in settings.FUNNEL_THROTTLE_RATES. Subclasses choose the
    scope, and `caller` who shares a budget."""

    scope = ""
    header_name = ""

    def caller(self, request) -> str:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return f"user:{user.pk}"
        return f"ip:{client_ip(request)}"

    def allow_request(self, request, view) -> bool:
        rate = settings.FUNNEL_THROTTLE_RATES.get(self.scope)
        if not rate:
            return True
        limit, period = parse_rate(rate)
        count, remaining_seconds = window_count(
            key=f"{self.scope}:{self.caller(request)}", period=period, now=time.time()
        )
        self._wait = remaining_seconds
        if self.header_name:
            _record_headers(request, self.header_name, limit, count, remaining_seconds)
        return count <= limit

    def wait(self) -> float:
        # Whole seconds: Retry-After is an integer and retrying a moment early fails again.
        return float(math.ceil(self._wait))


class BurstRateThrottle(FixedWindowThrottle):
    """Requests per 10 seconds (HubSpot-style burst limit)."""

    scope = "burst"
    header_name = "X-RateLimit"


class DailyRateThrottle(FixedWindowThrottle):
    """Requests per day; the day is the UTC day (windows are aligned to the epoch)."""

    scope = "daily"
    header_name = "X-RateLimit-Daily"


class CaptureRateThrottle(FixedWindowThrottle):
    """For anonymous public endpoints (lead capture): per client IP, whoever is logged in,
    so one address cannot flood the form endpoint. Set `throttle_classes` to this."""

    scope = "capture"
    header_name = "X-RateLimit-Capture"

    def caller(self, request) -> str:
        return f"ip:{client_ip(request)}"


class AuthFailureRateThrottle(FixedWindowThrottle):
    """Requests with bad credentials (unknown, revoked or malformed token or key), per
    client address."""

    scope = "auth_failures"
    header_name = "X-RateLimit-Auth-Failures"

    def caller(self, request) -> str:
        return f"ip:{client_ip(request)}"


def unauthenticated_throttle(request, view, *, bad_credentials: bool) -> float | None:
    """Count a call refused for want of credentials against the view's throttles (as the
    anonymous caller, per address) and, for bad credentials, AuthFailureRateThrottle.
    Returns the seconds to wait when over a limit, else None."""
    throttles = list(view.get_throttles()) if view is not None else []
    if bad_credentials:
        throttles.append(AuthFailureRateThrottle())
    waits = [throttle.wait() for throttle in throttles if not throttle.allow_request(request, view)]
    return max(waits) if waits else None


def _record_headers(request, name: str, limit: int, count: int, reset: float) -> None:
    # Throttles cannot touch the response; RateLimitHeadersMiddleware copies these onto it.
    django_request = getattr(request, "_request", request)
    headers = getattr(django_request, "funnel_rate_limit_headers", None)
    if headers is None:
        headers = django_request.funnel_rate_limit_headers = {}
    headers[f"{name}-Limit"] = str(limit)
    headers[f"{name}-Remaining"] = str(max(limit - count, 0))
    headers[f"{name}-Reset"] = str(math.ceil(reset))


class RateLimitHeadersMiddleware:
    """Adds the `X-RateLimit-*` headers the throttles recorded for this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        for name, value in getattr(request, "funnel_rate_limit_headers", {}).items():
            response[name] = value
        return response
