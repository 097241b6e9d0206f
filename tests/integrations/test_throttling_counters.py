"""The counters: atomic under concurrency, fixed windows, rates parsed strictly; and the
per-address throttle for anonymous public endpoints."""

import threading

import pytest
from django.core.cache import caches
from django.test import override_settings
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from funnel.throttling import CaptureRateThrottle, client_ip, parse_rate, window_count
from tests.support import ON_REDIS


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        ("100/10s", (100, 10)),
        ("20/min", (20, 60)),
        ("5/m", (5, 60)),
        ("1000/hour", (1000, 3600)),
        ("250000/day", (250000, 86400)),
        ("7/2days", (7, 172800)),
    ],
)
def test_rates_parse(rate, expected):
    assert parse_rate(rate) == expected


@pytest.mark.parametrize("rate", ["", "100", "ten/day", "100/fortnight", "1/0s", "-1/s"])
def test_bad_rates_are_refused(rate):
    with pytest.raises(ValueError):
        parse_rate(rate)


def test_a_new_window_starts_from_zero():
    assert window_count(key="t", period=10, now=1000.0) == (1, 10.0)
    assert window_count(key="t", period=10, now=1009.5) == (2, 0.5)
    assert window_count(key="t", period=10, now=1010.0) == (1, 10.0)


def _hammer(threads: int, hits: int) -> int:
    barrier = threading.Barrier(threads)
    counts: list[int] = []
    lock = threading.Lock()

    def hit():
        barrier.wait()
        mine = [window_count(key="race", period=60, now=120.0)[0] for _ in range(hits)]
        with lock:
            counts.extend(mine)

    workers = [threading.Thread(target=hit) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    # Every hit got its own count: none lost, none repeated.
    assert sorted(counts) == list(range(1, threads * hits + 1))
    return max(counts)


def test_concurrent_hits_are_all_counted():
    assert _hammer(threads=8, hits=50) == 400


@pytest.mark.skipif(not ON_REDIS, reason="needs Redis: set CELERY_BROKER_URL=redis://... (CI)")
def test_concurrent_hits_are_all_counted_on_redis():
    import os

    redis_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["CELERY_BROKER_URL"],
            "KEY_PREFIX": "funnel-test-throttle",
        }
    }
    with override_settings(CACHES=redis_cache):
        caches["default"].delete("throttle:race:60:2")
        try:
            assert _hammer(threads=8, hits=50) == 400
        finally:
            caches["default"].delete("throttle:race:60:2")


class CaptureLikeView(APIView):
    authentication_classes = []
    permission_classes = []
    throttle_classes = [CaptureRateThrottle]

    def post(self, request):
        return Response({"ok": True}, status=201)


def test_the_capture_throttle_counts_per_address(settings):
    settings.FUNNEL_THROTTLE_RATES = {"capture": "2/min"}
    factory, view = APIRequestFactory(), CaptureLikeView.as_view()

    statuses = [
        view(factory.post("/capture/", {}, REMOTE_ADDR="10.0.0.1")).status_code for _ in range(3)
    ]

    assert statuses == [201, 201, 429]
    assert view(factory.post("/capture/", {}, REMOTE_ADDR="10.0.0.2")).status_code == 201


def test_behind_a_proxy_the_address_it_saw_counts(settings):
    factory = APIRequestFactory()
    request = factory.get("/", REMOTE_ADDR="172.16.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 1.2.3.4")

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 0}
    assert client_ip(request) == "172.16.0.1"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    assert client_ip(request) == "1.2.3.4"
