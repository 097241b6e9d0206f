"""X-Forwarded-For is believed only from proxies the deployment declares: by default (the
production settings and docker-compose alike) a client that forges the header still
meets the login lockout and the capture limit."""

import pytest
from django.test import Client

from tests.factories import CampaignFactory, UserFactory
from tests.security.test_deploy_settings import GOOD_KEY, _run

pytestmark = pytest.mark.django_db

PROBE = """
import django
django.setup()
from django.conf import settings
print(settings.REST_FRAMEWORK["NUM_PROXIES"])
"""


def test_production_trusts_no_forwarded_for_unless_told():
    default = _run(["-c", PROBE], SECRET_KEY=GOOD_KEY, NUM_PROXIES=None)
    behind_a_proxy = _run(["-c", PROBE], SECRET_KEY=GOOD_KEY, NUM_PROXIES="1")

    assert default.returncode == 0, default.stderr
    assert default.stdout.split() == ["0"]
    assert behind_a_proxy.stdout.split() == ["1"]


@pytest.fixture
def production_defaults(settings):
    """What production.py gives without NUM_PROXIES, with its real lockout limits."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 0}
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.LOGIN_IP_FAILURE_LIMIT = 50


def test_a_rotating_forwarded_for_does_not_escape_the_login_lockout(production_defaults):
    user = UserFactory()
    client = Client(REMOTE_ADDR="203.0.113.50")

    for n in range(30):
        client.post(
            "/login/",
            {"username": user.username, "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
    last = client.post(
        "/login/",
        {"username": user.username, "password": "wrong"},
        HTTP_X_FORWARDED_FOR="192.0.2.99",
    )

    assert "Too many failed sign-in attempts" in last.content.decode()


def test_a_rotating_forwarded_for_does_not_escape_the_capture_limit(production_defaults, settings):
    settings.FUNNEL_THROTTLE_RATES = {**settings.FUNNEL_THROTTLE_RATES, "capture": "3/min"}
    campaign = CampaignFactory()
    client = Client(REMOTE_ADDR="203.0.113.60")

    codes = [
        client.post(
            "/api/v1/capture/",
            {"key": campaign.capture_key, "email": f"p{n}@example.com"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        ).status_code
        for n in range(5)
    ]

    assert codes == [303, 303, 303, 429, 429]
