"""The whole dashboard page transfers under 1 MB, served the way `make run` serves it.

The web process of `make run` (config/run.py with the Procfile: gunicorn, DEBUG off,
static files collected and compressed by WhiteNoise) runs against a fresh var folder with
the demo data; a cold browser (empty cache) opens the dashboard overview and adds up the
bytes that crossed the network for the page and every resource it loaded.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
MB = 1_000_000
# Variables a test run sets that a fresh `make run` would not see.
NOT_IN_A_FRESH_CLONE = {
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CACHE_URL",
    "DEBUG",
    "DJANGO_SETTINGS_MODULE",
    "CELERY_TASK_DEFAULT_QUEUE",
}
# The demo data's manager (funnel/demo.py).
MANAGER, PASSWORD = "manager", "funnel-demo"
# Bytes over the wire for the document and every resource (headers included, as Chromium
# counts them), with what each resource was.
WEIGHT_JS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const resources = performance.getEntriesByType('resource').map((r) => ({
    name: r.name.replace(location.origin, ''), transfer: r.transferSize, body: r.decodedBodySize,
  }));
  return {
    document: nav.transferSize,
    resources,
    total: nav.transferSize + resources.reduce((sum, r) => sum + r.transfer, 0),
  };
}"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def production_like_server(tmp_path_factory):
    var = tmp_path_factory.mktemp("var")
    env = {k: v for k, v in os.environ.items() if k not in NOT_IN_A_FRESH_CLONE}
    env["FUNNEL_VAR_DIR"] = str(var)
    env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"
    for step in (
        ["migrate", "--noinput", "-v", "0"],
        ["collectstatic", "--noinput", "-v", "0"],
        ["seed_demo"],
    ):
        subprocess.run(
            [sys.executable, "manage.py", *step],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=300,
            stdout=subprocess.DEVNULL,
        )
    port = _free_port()
    runner = subprocess.Popen(
        [sys.executable, "-m", "config.run", "-p", str(port), "web"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/login/", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or runner.poll() is not None:
                    pytest.fail("the web process of `make run` did not start")
                time.sleep(0.5)
        yield base
    finally:
        os.killpg(runner.pid, signal.SIGTERM)
        try:
            runner.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(runner.pid, signal.SIGKILL)
            runner.wait()


def test_the_dashboard_transfers_under_a_megabyte_compressed(production_like_server, browser):
    base = production_like_server
    signing_in = browser.new_context()
    page = signing_in.new_page()
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(MANAGER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    cookies = signing_in.cookies()
    signing_in.close()

    # A second context: signed in, but nothing cached from the pages seen so far.
    cold = browser.new_context(viewport={"width": 1280, "height": 800})
    cold.add_cookies(cookies)
    page = cold.new_page()
    encodings = {}
    page.on(
        "response",
        lambda r: encodings.__setitem__(
            r.url.replace(base, ""), r.headers.get("content-encoding", "")
        ),
    )
    page.goto(f"{base}/dashboard/", wait_until="load")
    page.wait_for_load_state("networkidle")
    # The charts were drawn: the chart bundle is part of what was weighed.
    assert page.locator(".js-plotly-plot").count() >= 2
    weight = page.evaluate(WEIGHT_JS)
    cold.close()

    scripts_and_styles = [r for r in weight["resources"] if r["name"].endswith((".js", ".css"))]
    plotly = next(r for r in scripts_and_styles if "plotly" in r["name"])
    assert plotly["body"] > MB  # 1.2 MB of JavaScript ...
    assert plotly["transfer"] < 0.45 * MB  # ... sent compressed
    for resource in scripts_and_styles:
        # WhiteNoise skips files that compression would not shrink (a few hundred bytes).
        if resource["body"] > 1000:
            assert encodings[resource["name"]] in ("gzip", "br"), resource
    print(f"dashboard: {weight['total']:,} bytes transferred", weight)
    assert weight["total"] < MB, weight
