"""A real Celery worker in its own process, for tests that need one.

`WorkerProcess` starts `celery -A config worker` on the test database (committed data
only: use `transactional_db`) and a queue of its own, so messages other tests or earlier
runs left on the broker are never consumed. Tasks reach it with
`task.apply_async(..., queue=worker.queue)`; its own follow-ups (published inside the
tasks it runs) go to the same queue, because every queue group is that name in the worker.

The session fixture `celery_worker` starts one worker on the configured broker (Redis in
CI) for the whole run. To use it outside tests/runtime, import it in your conftest:

    from tests.celery_worker import celery_worker  # noqa: F401  (pytest fixture)
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60
STOP_TIMEOUT = 30
RECEIVED = re.compile(r"Task [\w.]+\[(?P<id>[0-9a-f-]+)\] received")
ENDED = re.compile(r"Task [\w.]+\[(?P<id>[0-9a-f-]+)\] (succeeded|raised|failed|retry)")
SUCCEEDED = re.compile(
    r"Task (?P<name>[\w.]+)\[(?P<id>[0-9a-f-]+)\] succeeded in [\d.e-]+s: (?P<result>.*)"
)


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL naming the database `settings_dict` points at (the test database once
    pytest-django has set it up)."""
    engine = settings_dict["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(settings_dict['NAME']).resolve()}"
    if engine == "django.db.backends.postgresql":
        user = quote(settings_dict.get("USER") or "", safe="")
        password = quote(settings_dict.get("PASSWORD") or "", safe="")
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = settings_dict.get("HOST") or "127.0.0.1"
        port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
        return f"postgres://{credentials}{host}{port}/{quote(settings_dict['NAME'], safe='')}"
    raise NotImplementedError(f"No worker DATABASE_URL for {engine}")


class WorkerProcess:
    """One `celery worker` subprocess; its log goes to `log_path`."""

    def __init__(
        self,
        *,
        database_url: str,
        broker_url: str,
        log_path: Path,
        queue: str | None = None,
        concurrency: int = 2,
        env: dict[str, str] | None = None,
    ) -> None:
        self.database_url = database_url
        self.broker_url = broker_url
        self.log_path = Path(log_path)
        self.queue = queue or f"test-{uuid.uuid4().hex[:12]}"
        self.concurrency = concurrency
        self.extra_env = env or {}
        self.process: subprocess.Popen | None = None

    def start(self) -> WorkerProcess:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": self.database_url,
            "CELERY_BROKER_URL": self.broker_url,
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
            # Every queue group routes to this worker's own queue.
            "CELERY_QUEUE_INTERACTIVE": self.queue,
            "CELERY_QUEUE_WEBHOOKS": self.queue,
            "CELERY_QUEUE_MAINTENANCE": self.queue,
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            self.queue,
            "-n",
            f"{self.queue}@%h",
            f"--concurrency={self.concurrency}",
            "--loglevel=INFO",
            # No broadcast traffic: the embedded broker has no fanout, and tests need none.
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=REPO_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.wait_until(lambda: " ready." in self.log(), timeout=START_TIMEOUT, what="ready")
        return self

    def stop(self) -> int:
        """Warm shutdown (SIGTERM), as a supervisor does; SIGKILL only if it hangs."""
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=STOP_TIMEOUT)
        return self.process.returncode

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def succeeded(self, task_name: str) -> list[tuple[str, str]]:
        """(task id, logged return value) for every successful run of `task_name`."""
        return [
            (match["id"], match["result"].strip())
            for match in SUCCEEDED.finditer(self.log())
            if match["name"] == task_name
        ]

    def wait_idle(self, *, timeout: float = 60) -> None:
        """Until every task the worker received has ended (follow-ups included): a test
        that ends while a task still writes cannot have its database flushed."""

        def idle() -> bool:
            log = self.log()
            received = {m["id"] for m in RECEIVED.finditer(log)}
            return received <= {m["id"] for m in ENDED.finditer(log)}

        self.wait_until(idle, timeout=timeout, what="the worker to be idle")

    def wait_until(self, condition: Callable[[], bool], *, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"worker exited ({self.process.returncode}):\n{self.tail()}")
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {what}:\n{self.tail()}"
                )
            time.sleep(0.05)

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log().splitlines()[-lines:])


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, tmp_path_factory):
    """One worker for the session, on the configured broker and the test database."""
    from django.conf import settings
    from django.db import connection

    with django_db_blocker.unblock():
        url = database_url(connection.settings_dict)
    worker = WorkerProcess(
        database_url=url,
        broker_url=settings.CELERY_BROKER_URL,
        log_path=tmp_path_factory.mktemp("celery-worker") / "worker.log",
    )
    worker.start()
    yield worker
    # Stopped before the test database is dropped: PostgreSQL refuses to drop a database
    # that still has connections.
    worker.stop()
