"""Production settings: `check --deploy` is clean, and they refuse to run without a real
SECRET_KEY. Run in subprocesses, as a deployment would start them."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = secrets.token_urlsafe(64)
# Set by the test run (conftest, CI) but never by a deployment.
DEPLOYMENT_VARIABLES = {
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "CACHE_URL",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def _run(args, **env_overrides):
    env = {key: value for key, value in os.environ.items() if key not in DEPLOYMENT_VARIABLES}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        ALLOWED_HOSTS="funnel.example.com",
        CACHE_URL="redis://127.0.0.1:6379/1",
    )
    env.update({key: value for key, value in env_overrides.items() if value is not None})
    for key in [key for key, value in env_overrides.items() if value is None]:
        env.pop(key, None)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passes_without_warnings():
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], SECRET_KEY=GOOD_KEY
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_warns_about_a_per_process_cache():
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        SECRET_KEY=GOOD_KEY,
        CACHE_URL=None,
    )

    assert result.returncode != 0
    assert "funnel.W001" in result.stderr + result.stdout


@pytest.mark.parametrize(
    "secret_key",
    [None, "", "short", "funnel-insecure-local-development-key-change-me" + "x" * 10, "a" * 60],
    ids=["unset", "empty", "short", "the-development-default", "no-entropy"],
)
def test_production_refuses_to_start_without_a_real_secret_key(secret_key):
    result = _run(["manage.py", "check"], SECRET_KEY=secret_key)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _run(["manage.py", "check"], SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS=None)

    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


PROBE = """
import django
django.setup()
from django.conf import settings
from django.test import Client
response = Client().get("/login/", secure=True, HTTP_HOST="funnel.example.com")
cookie = response.cookies["csrftoken"]
print(response.status_code)
for name in ("Strict-Transport-Security", "X-Content-Type-Options", "X-Frame-Options",
             "Referrer-Policy", "Cross-Origin-Opener-Policy"):
    print(name, "=", response.get(name))
print("csrf-cookie", bool(cookie["secure"]), cookie["samesite"])
print("session-cookie", settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY,
      settings.SESSION_COOKIE_SAMESITE)
insecure = Client().get("/login/", HTTP_HOST="funnel.example.com")
print("http", insecure.status_code, insecure.get("Location"))
"""


def test_production_pages_carry_security_headers_and_safe_cookies():
    result = _run(["-c", PROBE], SECRET_KEY=GOOD_KEY)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "200"
    assert "Strict-Transport-Security = max-age=31536000; includeSubDomains; preload" in lines
    assert "X-Content-Type-Options = nosniff" in lines
    assert "X-Frame-Options = DENY" in lines
    assert "Referrer-Policy = same-origin" in lines
    assert "Cross-Origin-Opener-Policy = same-origin" in lines
    assert "csrf-cookie True Lax" in lines
    assert "session-cookie True True Lax" in lines
    # Plain HTTP is redirected to HTTPS.
    assert "http 301 https://funnel.example.com/login/" in lines
