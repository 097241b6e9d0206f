"""The Redis broker transport, with one guard so a Redis outage cannot kill a worker.

Celery 5.7's consumer, on losing the broker, first detaches the transport from its
connection and then closes the channel; closing a channel restores its unacknowledged
messages, which needs the detached connection, and the AttributeError it raises escapes
every handler: "Unrecoverable error", the worker exits (seen in tests/faults whenever Redis
stopped while a late-acked task was running). Here that restore is skipped instead: the
messages stay in Redis's unacked index, which any worker redelivers after the visibility
timeout, and every task's work is re-derived sooner by a sweep anyway (outbox/).
"""

import logging

from kombu.transport import redis

logger = logging.getLogger(__name__)


class QoS(redis.QoS):
    def restore_unacked(self, client=None):
        if client is None and self.channel.connection.client is None:
            logger.warning(
                "Broker connection lost with %s unacknowledged message(s); Redis redelivers "
                "them after the visibility timeout",
                len(self._delivered),
            )
            return None
        return super().restore_unacked(client)


class Channel(redis.Channel):
    QoS = QoS


class Transport(redis.Transport):
    Channel = Channel
