import socket

import pytest

from config.celery import app as celery_app


@pytest.fixture
def eager_tasks():
    """Publishing runs the task in-process, as a worker would."""
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager, conf.task_eager_propagates = True, False
    yield
    conf.task_always_eager, conf.task_eager_propagates = saved


@pytest.fixture
def broker_refusing(monkeypatch):
    """Point Celery at a Redis port where nothing listens: every publish is refused, as
    during a Redis outage."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    conf = celery_app.conf
    saved = conf.broker_url, conf.broker_transport, conf.broker_transport_options
    refusing = f"redis://127.0.0.1:{port}/0"
    # Celery reads CELERY_BROKER_URL from the environment before its settings (CI sets it).
    monkeypatch.setenv("CELERY_BROKER_URL", refusing)
    conf.broker_url, conf.broker_transport = refusing, None
    conf.broker_transport_options = {"socket_connect_timeout": 1}
    _forget_connections()
    yield
    monkeypatch.undo()
    conf.broker_url, conf.broker_transport, conf.broker_transport_options = saved
    _forget_connections()


def _forget_connections() -> None:
    # The app caches its connection and producer pools: drop them (unclosed, as other tests
    # still use them) so the next publish connects with the current settings.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def login(db):
    def make(user):
        from django.test import Client

        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
