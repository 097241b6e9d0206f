"""docker-compose.yml is valid, has every process, and is configured by environment only.

Validated with Debian's docker-compose (v1, offline: no Docker engine needed), which
.ci/run installs; without it these tests skip.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
SECRETS = {"SECRET_KEY": "x" * 60, "POSTGRES_PASSWORD": "compose-test"}

pytestmark = pytest.mark.skipif(
    shutil.which("docker-compose") is None,
    reason="needs Debian's docker-compose to validate docker-compose.yml (.ci/run installs it)",
)


def _compose(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in SECRETS}
    return subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", *args],
        cwd=REPO_ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_compose_file_is_valid_with_every_process_and_health_checks():
    assert _compose("config", "-q", env=SECRETS).returncode == 0
    config = yaml.safe_load(_compose("config", env=SECRETS).stdout)
    services = config["services"]
    workers = ("worker", "worker-webhooks", "worker-maintenance")
    assert set(services) == {"postgres", "redis", "migrate", "web", "beat", *workers}
    for name in ("postgres", "redis", "web", *workers):
        assert services[name]["healthcheck"]["test"], name
    for name in ("web", "beat", *workers):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
        environment = services[name]["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
        assert environment["SECRET_KEY"] == SECRETS["SECRET_KEY"]
        assert environment["CELERY_BROKER_URL"].startswith("redis://")
        assert environment["DATABASE_URL"].startswith("postgres://")
    assert "gunicorn" in services["web"]["command"]
    # One worker per queue group, each stopping within docker's default grace period.
    queues = {
        name: services[name]["command"][services[name]["command"].index("-Q") + 1]
        for name in workers
    }
    assert queues == {
        "worker": "interactive",
        "worker-webhooks": "webhooks",
        "worker-maintenance": "maintenance",
    }
    for name in workers:
        assert services[name]["environment"]["REMAP_SIGTERM"] == "SIGQUIT"
    assert "beat" in services["beat"]["command"]


@pytest.mark.parametrize("missing", sorted(SECRETS))
def test_compose_refuses_to_run_without_its_secrets(missing):
    env = {k: v for k, v in SECRETS.items() if k != missing}
    result = _compose("config", "-q", env=env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_compose_trusts_no_forwarded_for_by_default():
    # web's port is published as is: a forged X-Forwarded-For must not pick the address
    # the login lockout and the rate limits count (docs/operations.md, "Client addresses").
    services = yaml.safe_load(_compose("config", env=SECRETS).stdout)["services"]
    for name in ("web", "worker", "beat"):
        assert str(services[name]["environment"]["NUM_PROXIES"]) == "0", name

    behind_a_proxy = yaml.safe_load(_compose("config", env={**SECRETS, "NUM_PROXIES": "1"}).stdout)
    assert str(behind_a_proxy["services"]["web"]["environment"]["NUM_PROXIES"]) == "1"
