"""First paint and page weight of the manager dashboard, served the way `make run` serves it.

Run against a PostgreSQL database holding the data to measure (seed it first with
`manage.py seed_bulk`), e.g.:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/funnel_bench \\
        .venv/bin/python benchmarks/dashboard_first_paint.py --repeat 7

It collects the static files into a scratch folder, starts the web process of `make run`
(config/run.py with the Procfile: gunicorn, 2 workers, DEBUG off, WhiteNoise serving the
compressed files), signs a manager in with headless Chromium and opens the dashboard
overview --repeat times with an empty browser cache (cold) and --repeat times with the
static files cached (warm). For each it reads the browser's own timings: time to first
byte of the page, first paint, first contentful paint, DOMContentLoaded, load (charts
drawn), and the bytes transferred for the page and all its resources. Medians are printed,
never asserted; docs/performance.md records them with the machine and the command.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
USERNAME = "bench-manager"
PASSWORD = "bench-dashboard-1"
MAKE_MANAGER = f"""
from django.contrib.auth.models import Group, User
user, _ = User.objects.get_or_create(username={USERNAME!r}, defaults={{"first_name": "Bench"}})
user.set_password({PASSWORD!r}); user.save()
user.groups.add(Group.objects.get_or_create(name="managers")[0])
from leads.models import Lead
print(f"{{Lead.objects.count():,}} leads")
"""
TIMINGS_JS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const paints = performance.getEntriesByType('paint');
  const paint = Object.fromEntries(paints.map((p) => [p.name, p.startTime]));
  const resources = performance.getEntriesByType('resource');
  return {
    ttfb: nav.responseStart,
    first_paint: paint['first-paint'],
    first_contentful_paint: paint['first-contentful-paint'],
    dom_content_loaded: nav.domContentLoadedEventEnd,
    load: nav.loadEventEnd,
    transferred: nav.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0),
    html: nav.transferSize,
  };
}"""
FIELDS = ["ttfb", "first_paint", "first_contentful_paint", "dom_content_loaded", "load"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _manage(env: dict, *args: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _wait_until_up(base: str, runner: subprocess.Popen) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/login/", timeout=5):
                return
        except OSError:
            if runner.poll() is not None:
                raise SystemExit("the web process stopped") from None
            time.sleep(0.5)
    raise SystemExit("the web process did not start")


def _measure(browser, base: str, cookies, *, path: str, repeat: int, warm: bool) -> list[dict]:
    runs = []
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_cookies(cookies)
    if warm:  # one visit to fill the cache
        context.new_page().goto(f"{base}{path}", wait_until="load")
    for _ in range(repeat):
        if not warm:
            context.close()
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            context.add_cookies(cookies)
        page = context.new_page()
        page.goto(f"{base}{path}", wait_until="load")
        page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length > 0")
        runs.append(page.evaluate(TIMINGS_JS))
        page.close()
    context.close()
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--path", default="/dashboard/", help="the page to open")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to the PostgreSQL database to measure.")

    from playwright.sync_api import sync_playwright

    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_SETTINGS_MODULE")}
    env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"
    with tempfile.TemporaryDirectory() as var:
        env["FUNNEL_VAR_DIR"] = var
        _manage(env, "collectstatic", "--noinput", "-v", "0")
        print(_manage(env, "shell", "-c", MAKE_MANAGER).strip())
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
            _wait_until_up(base, runner)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path="/usr/bin/chromium",
                    headless=True,
                    args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
                )
                page = browser.new_page()
                page.goto(f"{base}/login/")
                page.fill("#id_username", USERNAME)
                page.fill("#id_password", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url(f"{base}/")
                cookies = page.context.cookies()
                page.close()
                # One visit first so the server's caches are as a user after the first finds them.
                _measure(browser, base, cookies, path=args.path, repeat=1, warm=False)
                cold = _measure(
                    browser, base, cookies, path=args.path, repeat=args.repeat, warm=False
                )
                warm = _measure(
                    browser, base, cookies, path=args.path, repeat=args.repeat, warm=True
                )
                browser.close()
        finally:
            os.killpg(runner.pid, signal.SIGTERM)
            runner.wait(timeout=60)

    print(f"{platform.node()}: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print(f"{args.path}, median of {args.repeat} (ms)")
    print(f"{'':>6} " + " ".join(f"{name:>22}" for name in FIELDS) + f" {'transferred':>12}")
    for label, runs in (("cold", cold), ("warm", warm)):
        medians = [statistics.median(run[name] for run in runs) for name in FIELDS]
        weight = statistics.median(run["transferred"] for run in runs)
        print(f"{label:>6} " + " ".join(f"{m:>22.0f}" for m in medians) + f" {weight:>12,.0f}")


if __name__ == "__main__":
    main()
