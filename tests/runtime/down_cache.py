"""A cache backend that is down, for `override_settings(CACHES=...)`: every call raises
ConnectionError, as Django's Redis backend does when the server is stopped. `DOWN` can be
switched off to bring it back (a local-memory cache then answers)."""

from django.core.cache.backends.locmem import LocMemCache


class DownCache(LocMemCache):
    DOWN = True

    def _check(self):
        if DownCache.DOWN:
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6399. Connection refused.")

    def add(self, *args, **kwargs):
        self._check()
        return super().add(*args, **kwargs)

    def get(self, *args, **kwargs):
        self._check()
        return super().get(*args, **kwargs)

    def set(self, *args, **kwargs):
        self._check()
        return super().set(*args, **kwargs)

    def incr(self, *args, **kwargs):
        self._check()
        return super().incr(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check()
        return super().delete(*args, **kwargs)

    def clear(self):
        self._check()
        return super().clear()


DOWN_CACHES = {"default": {"BACKEND": "tests.runtime.down_cache.DownCache", "LOCATION": "down"}}
