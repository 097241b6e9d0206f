"""Errors are answered with Funnel's own pages, never Django's debug pages: DEBUG is off
unless DEBUG=1 asks for it, and 400/403/404/500 each have a styled page."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.views.defaults import server_error

from tests.factories import LeadFactory, RepFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PROBE = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"


def _debug_under_make_run(**env_overrides) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_SETTINGS_MODULE")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.base", **env_overrides)
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_settings_make_run_uses_have_debug_off_unless_asked():
    assert _debug_under_make_run() == "False"
    assert _debug_under_make_run(DEBUG="1") == "True"


def _styled(response, heading: str) -> str:
    page = response.content.decode()
    assert heading in page
    assert "css/funnel.css" in page
    for debug_text in ("URLconf", "Traceback", "DEBUG = True", "Request Method"):
        assert debug_text not in page
    return page


def test_another_reps_lead_is_a_styled_404():
    lead = LeadFactory(owner=RepFactory())
    client = Client()
    client.force_login(RepFactory())

    response = client.get(reverse("leads:detail", args=[lead.pk]))

    assert response.status_code == 404
    page = _styled(response, "find that page")
    assert "site-nav" in page  # the signed-in layout, with the way back


def test_an_unknown_address_is_a_styled_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    _styled(response, "find that page")


def test_a_refused_action_is_a_styled_403():
    client = Client()
    client.force_login(RepFactory())

    response = client.post(
        reverse("leads:transition", args=[LeadFactory(owner=None).pk]), {"to_stage": "prospect"}
    )

    assert response.status_code == 403
    _styled(response, "do that here")


def test_an_unknown_host_is_a_styled_400():
    response = Client(HTTP_HOST="attacker.example").get("/login/")

    assert response.status_code == 400
    _styled(response, "understand that request")


def test_an_expired_form_is_a_styled_403():
    client = Client(enforce_csrf_checks=True)

    response = client.post("/login/", {"username": "x", "password": "y"})

    assert response.status_code == 403
    _styled(response, "This form has expired")


def test_a_crash_is_a_styled_500(rf):
    # The view Django answers an unhandled exception with, rendering templates/500.html.
    response = server_error(rf.get("/"))

    assert response.status_code == 500
    _styled(response, "Something went wrong on our side")
