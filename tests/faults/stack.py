"""A throwaway production stack for fault tests: its own PostgreSQL cluster and Redis on
ports of their own (never the shared 5432/6379), and the app's real processes on them:
gunicorn, a Celery worker consuming every queue group, beat.

Everything is named after this process's pid and a free port, so two runs on one machine
never meet, and `Stack.close()` removes clusters, servers and processes even after a
failed test.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import psycopg2

REPO_ROOT = Path(__file__).resolve().parents[2]
PG_VERSION = "15"


def tools_missing() -> list[str]:
    tools = ("pg_createcluster", "pg_ctlcluster", "redis-server")
    return [tool for tool in tools if not shutil.which(tool)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str, poll: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        try:
            if condition():
                return
        except (psycopg2.Error, OSError):
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(poll)


class Postgres:
    def __init__(self) -> None:
        self.name = f"funnel-fault-{os.getpid()}"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/funnel"

    def _ctl(self, action: str, *extra: str) -> None:
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, self.name, action, *extra],
            check=True,
            capture_output=True,
        )

    def create(self) -> None:
        # Durability off: this cluster lives for one test run.
        subprocess.run(
            [
                *("pg_createcluster", PG_VERSION, self.name, "-p", str(self.port)),
                *("--start-conf=manual", "-o", "fsync=off", "-o", "full_page_writes=off"),
                *("-o", "max_connections=200", "--", "--auth=trust"),
            ],
            check=True,
            capture_output=True,
        )
        self._ctl("start")
        subprocess.run(
            [
                *("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"),
                *("-qc", "CREATE DATABASE funnel"),
            ],
            check=True,
            capture_output=True,
        )

    def restart(self) -> None:
        self._ctl("restart", "-m", "fast")

    def drop(self) -> None:
        subprocess.run(
            ["pg_dropcluster", "--stop", PG_VERSION, self.name], capture_output=True, check=False
        )

    def query(self, sql: str, *params) -> list[tuple]:
        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="funnel")
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        finally:
            conn.close()

    def value(self, sql: str, *params):
        return self.query(sql, *params)[0][0]


class Redis:
    def __init__(self, root: Path) -> None:
        self.port = free_port()
        self.dir = root / "redis"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.url = f"redis://127.0.0.1:{self.port}"

    def start(self) -> None:
        # Append-only, as in docker-compose.yml: queued tasks survive a restart.
        subprocess.run(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--dir", str(self.dir), "--daemonize", "yes"),
                *("--save", "", "--appendonly", "yes"),
                *("--pidfile", str(self.dir / "redis.pid")),
                *("--logfile", str(self.dir / "redis.log")),
            ],
            check=True,
        )
        wait_for(self.up, timeout=10, what="redis")

    def up(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")

    def up_quietly(self) -> bool:
        try:
            return self.up()
        except OSError:
            return False

    def stop(self) -> None:
        pidfile = self.dir / "redis.pid"
        if not pidfile.exists():
            return
        pid = int(pidfile.read_text())
        try:
            os.kill(pid, signal.SIGTERM)  # Writes the append-only file and exits.
        except ProcessLookupError:
            return
        wait_for(lambda: not _alive(pid), timeout=10, what="redis to stop")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class Process:
    """One app process in a session of its own, logging to a file."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.command, self.env, self.log_path = name, command, env, log
        self.popen: subprocess.Popen | None = None

    def start(self) -> Process:
        with self.log_path.open("ab") as log:
            self.popen = subprocess.Popen(
                self.command,
                cwd=REPO_ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        return self

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL the process and its children at once (OOM killer, lost machine)."""
        if self.alive:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=10)

    def stop(self, timeout: float = 15) -> float:
        """SIGTERM, as docker stop does; returns the seconds it took to exit."""
        if not self.alive:
            return 0.0
        started = time.monotonic()
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        return time.monotonic() - started

    def tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


class Stack:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.pg = Postgres()
        self.redis = Redis(root)
        self.web_port = free_port()
        self.processes: dict[str, Process] = {}

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": self.pg.url,
            "CELERY_BROKER_URL": f"{self.redis.url}/0",
            # As in production: the throttle and lockout counters live in Redis (override
            # to take the cache out of the Redis fault, e.g. `locmemcache://`).
            "CACHE_URL": os.environ.get("FAULT_STACK_CACHE_URL", f"{self.redis.url}/1"),
            "FUNNEL_VAR_DIR": str(self.root / "var"),
            "CELERY_QUEUE_INTERACTIVE": "interactive",
            "CELERY_QUEUE_WEBHOOKS": "webhooks",
            "CELERY_QUEUE_MAINTENANCE": "maintenance",
            "CELERY_TASK_DEFAULT_QUEUE": "interactive",
            # Sweeps and leases short enough for a test's patience.
            "IMPORT_LEASE_SECONDS": "6",
            "OWNER_SWEEP_SECONDS": "3",
            "OUTBOX_DRAIN_SECONDS": "3",
            # Many small batches, so a kill lands between two of them.
            "FUNNEL_BULK_MOVE_BATCH": "100",
            "MARKETING_IMPORT_BATCH_ROWS": "10000",
            "REMAP_SIGTERM": "SIGQUIT",
            "PYTHONUNBUFFERED": "1",
        }

    def manage(self, *args: str, stdin: str | None = None) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO_ROOT,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    def shell(self, code: str) -> str:
        return self.manage("shell", "-c", code)

    def up(self) -> Stack:
        self.pg.create()
        self.redis.start()
        self.manage("migrate", "--noinput", "-v0")
        self.start("web")
        self.start("worker")
        self.start("beat")
        wait_for(self.web_ready, timeout=60, what="gunicorn")
        return self

    def command(self, name: str) -> list[str]:
        python = (sys.executable, "-m")
        return {
            "web": [
                *(*python, "gunicorn", "config.wsgi:application"),
                *("--bind", f"127.0.0.1:{self.web_port}", "--workers", "2", "--threads", "4"),
                *("--timeout", "60", "--graceful-timeout", "8"),
            ],
            "worker": [
                *(*python, "celery", "-A", "config", "worker"),
                *("-Q", "interactive,webhooks,maintenance", "--concurrency=2", "-l", "info"),
                *("-n", f"fault-{os.getpid()}@%h"),
            ],
            "beat": [
                *(*python, "celery", "-A", "config", "beat", "-l", "info"),
                *("--scheduler", "django_celery_beat.schedulers:DatabaseScheduler"),
            ],
        }[name]

    def start(self, name: str) -> Process:
        process = Process(name, self.command(name), self.env, self.root / f"{name}.log")
        self.processes[name] = process.start()
        return process

    def close(self) -> None:
        for process in self.processes.values():
            process.kill()
        self.redis.stop()
        self.pg.drop()

    def web_ready(self) -> bool:
        status, _ = self.http("GET", "/login/")
        return status == 200

    def http(
        self, method: str, path: str, body: dict | None = None, token: str | None = None
    ) -> tuple[int, dict | str]:
        """(status, decoded body); status 0 when the connection itself failed."""
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Token {token}"
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.web_port}{path}",
            data=json.dumps(body).encode() if body is not None else None,
            headers=headers,
            method=method,
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        except OSError:
            return 0, ""
        try:
            return status, json.loads(raw or b"null")
        except ValueError:
            return status, raw.decode(errors="replace")

    def assert_processes_alive(self) -> None:
        dead = [name for name, process in self.processes.items() if not process.alive]
        assert dead == [], f"{dead} exited:\n{self.diagnostics()}"

    def diagnostics(self) -> str:
        return "\n".join(
            f"--- {name} ({'alive' if p.alive else 'exited'})\n{p.tail()}"
            for name, p in self.processes.items()
        )
