"""Everything under /api/ answers JSON, even where no view runs: an unrouted path, a body
Django itself refuses, a crash. Pages elsewhere keep Django's HTML."""

import json

import pytest
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.test import Client, RequestFactory

from funnel.api_errors import handler400, handler403, handler500
from tests.api.clients import token_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/api/v1/leads/abc/", "/api/v1/nothing-here/", "/api/v2/leads/", "/api/"]
)
def test_an_unknown_api_path_is_a_json_404(rep, path):
    response = token_client(rep).get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_pages_outside_the_api_keep_the_html_404(rep):
    client = Client()
    client.force_login(rep)

    response = client.get("/leads/abc/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("exception", "status", "code"),
    [
        (RequestDataTooBig("big"), 413, "too_large"),
        (TooManyFieldsSent("many"), 400, "too_many_fields"),
        (SuspiciousOperation("odd"), 400, None),
    ],
)
def test_a_body_refused_before_any_view_runs_is_json(exception, status, code):
    # What Django answers when middleware (or anything outside a DRF view) trips a limit.
    response = handler400(RequestFactory().post("/api/v1/leads/"), exception)

    assert response.status_code == status
    assert json.loads(response.content).get("code") == code


def test_a_400_outside_the_api_stays_html():
    response = handler400(RequestFactory().post("/leads/new/"), RequestDataTooBig("big"))

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(("path", "api"), [("/api/v1/leads/", True), ("/leads/", False)])
def test_a_server_error_under_the_api_is_json(path, api):
    response = handler500(RequestFactory().get(path))

    assert response.status_code == 500
    assert (response["Content-Type"] == "application/json") is api


def test_a_403_outside_a_drf_view_under_the_api_is_json():
    response = handler403(RequestFactory().get("/api/v1/leads/"))

    assert response.status_code == 403
    assert b"permission" in response.content
