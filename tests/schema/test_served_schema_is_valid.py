"""The schema the API serves is a valid OpenAPI 3 document: every `$ref` resolves (the
shared error components survive drf-spectacular's enum pass, which rebuilds
`components`), the whole document passes openapi-spec-validator, and drf-spectacular
generates it without a warning (a warning means a guessed, often wrong, part)."""

import json

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from openapi_spec_validator import validate
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def served_schema() -> dict:
    response = APIClient().get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def _refs(node) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(value) for value in node))
    return set()


def test_every_reference_resolves(served_schema):
    defined = {f"#/components/schemas/{name}" for name in served_schema["components"]["schemas"]}

    assert _refs(served_schema) - defined == set()


def test_the_shared_error_components_are_defined(served_schema):
    schemas = served_schema["components"]["schemas"]

    assert schemas["ApiError"]["required"] == ["detail"]
    assert "anyOf" in schemas["ApiValidationError"]


def test_the_schema_passes_the_openapi_validator(served_schema):
    validate(served_schema)


def test_the_schema_generates_without_warnings():
    GENERATOR_STATS.reset()
    try:
        SchemaGenerator().get_schema(request=None, public=True)
        assert not GENERATOR_STATS, (GENERATOR_STATS._warn_cache, GENERATOR_STATS._error_cache)
    finally:
        GENERATOR_STATS.reset()
