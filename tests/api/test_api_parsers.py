"""Every API view parses bodies with the project's parsers (REST_FRAMEWORK's
DEFAULT_PARSER_CLASSES): a view that names DRF's stock JSONParser answers a deeply nested
body with a RecursionError and a 500 (as `capture/` and `auth/token/` once did)."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.views import APIView

from funnel.parsers import JSONParser
from tests.factories import CampaignFactory

DEEP = b"[" * 100_000 + b"]" * 100_000


def _api_views(patterns=None, prefix=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _api_views(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and route.startswith("api/"):
            view_class = getattr(entry.callback, "cls", None)
            if view_class is not None and issubclass(view_class, APIView):
                yield route, view_class


API_VIEWS = sorted(set(_api_views()), key=lambda item: item[0])


def test_the_walk_finds_the_api():
    routes = {route for route, _ in API_VIEWS}
    assert {"api/v1/capture/", "api/v1/auth/token/"} <= routes
    assert len(API_VIEWS) > 20


@pytest.mark.parametrize(("route", "view_class"), API_VIEWS, ids=[r for r, _ in API_VIEWS])
def test_every_api_view_uses_the_projects_parsers(route, view_class):
    allowed = set(api_settings.DEFAULT_PARSER_CLASSES)
    assert JSONParser in allowed
    for parser in view_class().get_parsers():
        assert type(parser) in allowed, f"{route}: {type(parser).__module__}.{type(parser)}"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/capture/", "/api/v1/auth/token/"])
def test_deeply_nested_json_to_an_anonymous_endpoint_is_a_400(url):
    CampaignFactory()
    response = APIClient().post(url, DEEP, content_type="application/json")

    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]
