"""The Redis broker transport, guarded so a Redis outage cannot kill a worker.

Celery 5.7's consumer, on losing the broker, detaches the transport from its connection and
then closes the channel. Two things still use that dead channel afterwards, and each raises
an AttributeError that escapes every handler ("Unrecoverable error", the worker exits; both
seen in tests/faults/test_redis_outage.py):

- closing the channel restores its unacknowledged messages through the detached connection;
- a task that was running during the outage finishes after the reconnect and acknowledges
  its message on the old channel.

Here both skip Redis instead: the message stays in Redis's unacked index, which a worker
redelivers after the visibility timeout (every task is safe to run twice), and every task's
work is re-driven sooner by a sweep anyway (outbox/).
"""

import logging

from kombu.transport import redis
from kombu.transport.virtual import base

logger = logging.getLogger(__name__)


class QoS(redis.QoS):
    def _detached(self) -> bool:
        transport = self.channel.connection
        return transport is None or transport.client is None

    def restore_unacked(self, client=None):
        if client is None and self._detached():
            logger.warning(
                "Broker connection lost with %s unacknowledged message(s); Redis redelivers "
                "them after the visibility timeout",
                len(self._delivered),
            )
            return None
        return super().restore_unacked(client)

    def ack(self, delivery_tag):
        if self._detached():
            logger.warning("Ack on a channel closed by a broker outage: Redis redelivers it")
            base.QoS.ack(self, delivery_tag)
            return
        super().ack(delivery_tag)

    def reject(self, delivery_tag, requeue=False):
        if self._detached():
            logger.warning("Reject on a channel closed by a broker outage: Redis redelivers it")
            base.QoS.ack(self, delivery_tag)
            return
        super().reject(delivery_tag, requeue=requeue)


class Channel(redis.Channel):
    QoS = QoS


class Transport(redis.Transport):
    Channel = Channel
