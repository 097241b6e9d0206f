"""The embedded Celery broker: kombu's SQLAlchemy transport over a SQLite file, tuned.

It needs no server, so `make run` works on a bare machine; it is for one machine only
(use Redis to scale out). Changes to kombu's stock `sqla+sqlite://` transport
(measurements in docs/operations.md):

- Polling. The stock transport sleeps a fixed 1 s whenever it gets nothing, including
  when the worker's prefetch window is merely full (late acks, prefetch 1): that capped a
  two-process worker at ~5 tasks/s. Here an empty queue is polled every
  `polling_interval` (0.1 s, a broker transport option the stock channel would hand to
  `create_engine`, which rejects it), and a full window is re-checked in memory every few
  milliseconds, without touching the database.
- Consumed messages are deleted. The stock transport keeps every delivered message
  (visible=0) forever; it never reads them again, so the file only grew.
- The broker file runs in WAL mode with a generous busy timeout, so web, beat and worker
  processes publish and consume side by side without "database is locked".
- Each process opens its own engine, so a task that queues a follow-up from a prefork pool
  child never uses a SQLite connection inherited across the fork.
"""

from __future__ import annotations

import os
from json import loads
from queue import Empty
from time import monotonic, sleep

from kombu.transport import sqlalchemy as sqla
from kombu.utils.encoding import bytes_to_str
from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import sessionmaker

# How long to wait before re-checking a prefetch window that is full: an in-memory check.
BUSY_RECHECK_SECONDS = 0.005
# The longest one drain waits before the worker can look at a pending shutdown.
SHUTDOWN_CHECK_SECONDS = 0.25
# Options that belong to the transport, not to SQLAlchemy's engine.
TRANSPORT_ONLY_OPTIONS = ("polling_interval",)


class Channel(sqla.Channel):
    # Engines (and their pooled SQLite connections) per process: kombu caches them per URL
    # at class level, so a prefork pool child would reuse connections opened before the fork.
    _engines_by_process: dict = {}

    def _open(self):
        key = (os.getpid(), self.connection.client.hostname)
        with sqla._MUTEX:
            if key not in self._engines_by_process:
                engine = self._engine_from_config()
                sqla.metadata.create_all(engine)
                self._engines_by_process[key] = engine, sessionmaker(bind=engine)
        return self._engines_by_process[key]

    def _engine_from_config(self):
        options = dict(self.connection.client.transport_options)
        for key in (*TRANSPORT_ONLY_OPTIONS, "queue_tablename", "message_tablename"):
            options.pop(key, None)
        for key in ("callback", "errback", "max_retries", "retry_errors"):
            options.pop(key, None)
        for key in ("interval_start", "interval_step", "interval_max"):
            options.pop(key, None)
        url = self.connection.client.hostname
        if url.startswith("sqlite"):
            options.setdefault("connect_args", {"timeout": 30})
        engine = create_engine(url, **options)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        return engine

    def _get(self, queue):
        # As the stock `_get`, but the claimed row is deleted in the same transaction.
        obj = self._get_or_create(queue)
        if self.session.bind.name == "sqlite":
            self.session.execute(text("BEGIN IMMEDIATE TRANSACTION"))
        try:
            message = (
                self.session.query(self.message_cls)
                .with_for_update()
                .filter(self.message_cls.queue_id == obj.id)
                .filter(self.message_cls.visible.is_not(False))
                .order_by(self.message_cls.sent_at, self.message_cls.id)
                .limit(1)
                .first()
            )
            if message is None:
                raise Empty()
            payload = message.payload
            self.session.delete(message)
            return loads(bytes_to_str(payload))
        finally:
            self.session.commit()


class Transport(sqla.Transport):
    Channel = Channel
    polling_interval = 0.1

    def drain_events(self, connection, timeout=None):
        # Celery's loop for polling transports asks for up to 2 s and checks for a shutdown
        # request only in between: return sooner, so Ctrl-C under `make run` is quick.
        if timeout is not None:
            timeout = min(timeout, SHUTDOWN_CHECK_SECONDS)
        started = monotonic()
        while True:
            try:
                self.cycle.get(self._deliver, timeout=timeout)
                return
            except Empty:
                if timeout is not None and monotonic() - started >= timeout:
                    raise TimeoutError() from None
                sleep(self._pause(timeout))

    def _pause(self, timeout: float | None) -> float:
        if any(channel._consumers and not channel.qos.can_consume() for channel in self.channels):
            # Every prefetched message is still running; its ack frees the window soon.
            return BUSY_RECHECK_SECONDS
        pause = self.polling_interval or 0
        return min(pause, timeout) if timeout else pause


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
