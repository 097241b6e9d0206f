"""A worker that lost Redis keeps running: with the transport detached (as Celery's consumer
leaves it after a connection loss), acknowledging, rejecting or restoring on the old channel
does not raise (it raised AttributeError, which made the worker exit)."""

import pytest
from django.conf import settings
from kombu import Connection

from config.redis_broker import Transport
from tests.support import redis_only

pytestmark = [redis_only, pytest.mark.redis]


@pytest.mark.parametrize(
    "call",
    [
        lambda qos: qos.ack("tag-1"),
        lambda qos: qos.reject("tag-1", requeue=True),
        lambda qos: qos.restore_unacked(),
    ],
    ids=["ack", "reject", "restore"],
)
def test_a_detached_channel_does_not_raise(call):
    connection = Connection(settings.CELERY_BROKER_URL, transport=Transport)
    try:
        channel = connection.channel()
        qos = channel.qos
        qos._delivered["tag-1"] = None
        connection.transport.client = None  # What Celery 5.7 leaves after losing Redis.

        call(qos)
    finally:
        connection.transport.client = connection
        connection.release()
