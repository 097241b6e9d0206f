"""A fresh web process answers its first request like a warm one: config/wsgi.py loads
the URL configuration (every view, API and drf-spectacular module) at start-up, so no
visitor waits 0.6-2.4 s for a gunicorn worker's first page. Measured in a new process,
in CPU time (what the request itself costs, whatever else the machine is doing)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import io, sys, time
from config.wsgi import application

def cpu_seconds(path):
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1",
        "wsgi.input": io.BytesIO(b""), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
    }
    began = time.process_time()
    statuses = []
    b"".join(application(environ, lambda status, headers, exc_info=None: statuses.append(status)))
    assert statuses[0].startswith(("200", "401")), statuses
    return time.process_time() - began

loaded = "leads.views" in sys.modules and "drf_spectacular.views" in sys.modules
first_page, first_api = cpu_seconds("/login/"), cpu_seconds("/api/v1/leads/")
print(loaded, f"{first_page:.3f}", f"{first_api:.3f}", f"{cpu_seconds('/login/'):.3f}")
"""


def test_first_request_of_a_fresh_process_is_fast(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    env["FUNNEL_VAR_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    loaded, first_page, first_api, warm_page = result.stdout.split()
    assert loaded == "True"
    # Cold, the first request cost 0.6-2.4 s of CPU (imports); a warm one costs ~10 ms.
    # The first page still compiles its templates once (~50-100 ms).
    assert float(first_page) < 0.4, result.stdout
    assert float(first_api) < 0.2, result.stdout
    assert float(warm_page) < 0.1, result.stdout
