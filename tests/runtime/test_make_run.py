"""`make run` on a fresh clone behaves like production and stops cleanly.

The runner `make run` uses (config/run.py with the Procfile) is started on a free port
against a fresh FUNNEL_VAR_DIR with the embedded defaults, exactly as a new user gets it:
pages come from gunicorn with DEBUG off (a styled 404, static files compressed by
WhiteNoise), and Ctrl-C (SIGINT to its process group) stops web, worker and beat within
seconds with exit status 0 and no SIGKILL.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Set by the test run (conftest, CI) but never by a fresh clone's `make run`.
NOT_IN_A_FRESH_CLONE = {
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CACHE_URL",
    "DEBUG",
    "DJANGO_SETTINGS_MODULE",
    "CELERY_TASK_DEFAULT_QUEUE",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def fresh_clone_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in NOT_IN_A_FRESH_CLONE}
    env["FUNNEL_VAR_DIR"] = str(tmp_path)
    env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"
    for step in (["migrate", "--noinput", "-v", "0"], ["collectstatic", "--noinput", "-v", "0"]):
        subprocess.run(
            [sys.executable, "manage.py", *step], cwd=ROOT, env=env, check=True, timeout=300
        )
    return env


def test_make_run_serves_like_production_and_stops_cleanly_on_ctrl_c(fresh_clone_env):
    port = _free_port()
    runner = subprocess.Popen(
        [sys.executable, "-m", "config.run", "-p", str(port)],
        cwd=ROOT,
        env=fresh_clone_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(runner.stdout), daemon=True)
    reader.start()
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            started = any("ready." in line for line in output) and any(
                "beat: Starting" in line for line in output
            )
            try:
                if started and _get(f"{base}/login/")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        else:
            pytest.fail("make run did not start:\n" + "".join(output))

        status, _, body = _get(f"{base}/no-such-page/")
        assert status == 404
        assert b"find that page" in body and b"URLconf" not in body
        status, headers, _ = _get(f"{base}/static/css/funnel.css", **{"Accept-Encoding": "gzip"})
        assert status == 200
        assert headers.get("Content-Encoding") == "gzip"

        began = time.monotonic()
        os.killpg(runner.pid, signal.SIGINT)
        returncode = runner.wait(timeout=60)
        stopped_in = time.monotonic() - began
    finally:
        if runner.poll() is None:
            os.killpg(runner.pid, signal.SIGKILL)
            runner.wait()
    reader.join(timeout=5)
    log = "".join(output)

    assert returncode == 0, log
    assert "SIGKILL" not in log
    # SIGTERM is a cold shutdown after a soft one (REMAP_SIGTERM=SIGQUIT in the Procfile):
    # running tasks get a few seconds, then go back to the queue.
    assert "Cold shutdown" in log
    assert stopped_in < 12, log
