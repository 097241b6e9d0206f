"""Every page and API answer carries a Content-Security-Policy without inline script, a
Permissions-Policy, and, for what only a signed-in user sees, `Cache-Control: private,
no-store`."""

import re
from pathlib import Path

import pytest
from django.test import Client

from tests.api.clients import token_client
from tests.factories import LeadFactory, RepFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


def _cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part}


@pytest.mark.parametrize("path", ["/login/", "/api/v1/docs/", "/no-such-page/"])
def test_every_answer_has_a_policy_without_inline_script(client, path):
    response = client.get(path)

    directives = _directives(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in directives["style-src"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_signed_in_pages_are_not_stored():
    rep = RepFactory()
    lead = LeadFactory(owner=rep)
    client = Client()
    client.force_login(rep)

    for path in ("/", f"/leads/{lead.pk}/", "/leads/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert {"private", "no-store"} <= _cache_control(response), path


def test_api_answers_are_not_stored():
    rep = RepFactory()

    answers = [
        token_client(rep).get("/api/v1/leads/"),
        Client().get("/api/v1/leads/"),  # 401 too: it may carry a cached error page
    ]

    for response in answers:
        assert {"private", "no-store"} <= _cache_control(response)
        assert "Content-Security-Policy" in response


# Inline code the policy would refuse: a <script> with a body, or an on...= handler.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S|\son[a-z]+\s*=\s*[\"']", re.I)
# A form people paste into their own sites: shown as text in a textarea, never run here.
PASTED_ELSEWHERE = {"marketing/capture_snippet.html"}


def test_no_template_carries_inline_script():
    offenders = []
    for template in sorted(ROOT.glob("**/templates/**/*.html")):
        name = template.relative_to(ROOT).as_posix()
        if name.startswith(".venv/") or name.endswith(tuple(PASTED_ELSEWHERE)):
            continue
        if INLINE_SCRIPT.search(template.read_text()):
            offenders.append(name)

    assert offenders == []
