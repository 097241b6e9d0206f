"""Counters for rate limits and login lockouts, kept in the Django cache, that survive the
cache going away.

In production the cache is Redis, shared by every web process. If it fails (stopped,
unreachable, out of memory), counting moves to a per-process in-memory store instead of
every request answering 500: limits then hold per web process rather than across all of
them, weaker but still a limit, and the web UI, the API and lead capture keep working.
While degraded a warning is logged at most once per FUNNEL_COUNTERS_WARNING_SECONDS;
after a failure the cache is left alone for FUNNEL_COUNTERS_RETRY_SECONDS (a dead host
can cost a connect timeout per call), then tried again, and the first success switches
back (logged once). Counts made in memory meanwhile stay there: windows and lockouts
continue from what the cache holds. docs/operations.md, "When Redis is down".
"""

import logging
import math
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache

try:
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - redis is a dependency; keep the module importable
    RedisError = OSError

logger = logging.getLogger(__name__)

# What a cache that is down raises: socket errors (OSError covers the builtin
# ConnectionError and TimeoutError) and the redis client's own. A ValueError from incr()
# of a missing key is the cache working, and passes through.
CACHE_DOWN_ERRORS = (OSError, RedisError)


class Counters:
    """The cache's add/incr/get/set/delete, falling back to process memory."""

    def __init__(self):
        self._memory = LocMemCache("funnel-counters", {"OPTIONS": {"MAX_ENTRIES": 100_000}})
        self._lock = threading.Lock()
        self._retry_at = 0.0
        self._degraded = False
        self._last_warning = -math.inf
        self._failures_since_warning = 0

    @property
    def degraded(self) -> bool:
        return self._degraded

    def reset(self) -> None:
        """Forget the in-memory counts and the degraded state (tests start from zero)."""
        with self._lock:
            self._memory.clear()
            self._retry_at = 0.0
            self._degraded = False
            self._last_warning = -math.inf
            self._failures_since_warning = 0

    def add(self, key, value, timeout):
        return self._call("add", key, value, timeout=timeout)

    def incr(self, key):
        return self._call("incr", key)

    def get(self, key, default=None):
        return self._call("get", key, default)

    def set(self, key, value, timeout):
        return self._call("set", key, value, timeout=timeout)

    def delete(self, key):
        return self._call("delete", key)

    def _call(self, method: str, *args, **kwargs):
        now = time.monotonic()
        if now >= self._retry_at:
            try:
                result = getattr(cache, method)(*args, **kwargs)
            except CACHE_DOWN_ERRORS as exc:
                self._down(now, exc)
            else:
                if self._degraded:
                    self._up()
                return result
        return getattr(self._memory, method)(*args, **kwargs)

    def _down(self, now: float, exc: Exception) -> None:
        with self._lock:
            self._degraded = True
            self._retry_at = now + settings.FUNNEL_COUNTERS_RETRY_SECONDS
            self._failures_since_warning += 1
            if now - self._last_warning < settings.FUNNEL_COUNTERS_WARNING_SECONDS:
                return
            failures, self._failures_since_warning = self._failures_since_warning, 0
            self._last_warning = now
        logger.warning(
            "Cache unavailable (%s: %s); rate limits and login lockouts count in this "
            "process's memory until it returns (%d failure(s) since the last warning).",
            type(exc).__name__,
            exc,
            failures,
        )

    def _up(self) -> None:
        with self._lock:
            if not self._degraded:
                return
            self._degraded = False
            self._last_warning = -math.inf
            self._failures_since_warning = 0
        logger.info("Cache available again; rate limits and login lockouts count there.")


counters = Counters()
