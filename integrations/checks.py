"""Deployment checks for what the API's safety depends on (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

PROCESS_LOCAL_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@register(Tags.security, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    # Rate limits and login lockouts count in the cache; a per-process cache multiplies
    # every limit by the number of web processes (and a dummy cache disables them).
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend in PROCESS_LOCAL_CACHES:
        return [
            Warning(
                "The default cache is local to each process, so API rate limits and login "
                "lockouts are not shared between web processes.",
                hint="Set CACHE_URL to a Redis URL, e.g. redis://redis:6379/1.",
                id="funnel.W001",
            )
        ]
    return []
