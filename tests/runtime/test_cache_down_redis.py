"""The real thing: a throwaway redis-server (never the shared one on 6379) holds the
counters, is stopped mid-test, and started again. Requests keep being answered throughout
and counting returns to Redis once it is back."""

import shutil
import socket
import subprocess
import time

import pytest
import redis
from django.test import override_settings
from rest_framework.test import APIClient

from funnel.counters import counters
from tests.api.clients import token_client
from tests.factories import PASSWORD, CampaignFactory, UserFactory
from tests.support import redis_only

pytestmark = [
    redis_only,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
    pytest.mark.django_db,
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ThrowawayRedis:
    def __init__(self, port: int, directory):
        self.port, self.directory, self.process = port, directory, None
        self.client = redis.Redis(port=port, socket_connect_timeout=1)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                if self.client.ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("the throwaway redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def throttle_keys(self) -> list[bytes]:
        return self.client.keys("*throttle:*")


@pytest.fixture
def throwaway_redis(tmp_path):
    server = ThrowawayRedis(_free_port(), tmp_path)
    server.start()
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{server.port}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    try:
        with override_settings(CACHES=caches, FUNNEL_COUNTERS_RETRY_SECONDS=0):
            yield server
    finally:
        server.stop()
        counters.reset()


def test_redis_stopped_and_started_again(throwaway_redis, manager):
    api = token_client(manager)
    assert api.get("/api/v1/leads/").status_code == 200
    assert throwaway_redis.throttle_keys()

    throwaway_redis.stop()
    user = UserFactory()
    during = [
        api.get("/api/v1/leads/"),
        api.post("/api/v1/leads/", {"email": "ada@example.com"}),
        APIClient().post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}),
        APIClient().post(
            "/api/v1/capture/",
            {"key": CampaignFactory().capture_key, "email": "grace@example.com"},
            format="json",
        ),
    ]
    assert [r.status_code for r in during] == [200, 201, 200, 201]
    assert counters.degraded

    throwaway_redis.start()  # Empty: it keeps nothing on disk.
    assert throwaway_redis.throttle_keys() == []
    assert api.get("/api/v1/leads/").status_code == 200

    assert throwaway_redis.throttle_keys()
    assert not counters.degraded
