"""The leads endpoints are fully described in the OpenAPI schema, without warnings."""

import pytest
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from tests.api.clients import token_client


@pytest.fixture
def leads_schema():
    GENERATOR_STATS.reset()
    generator = SchemaGenerator(patterns=[path("api/v1/", include("leads.api_urls"))])
    schema = generator.get_schema(request=None, public=True)
    yield schema
    GENERATOR_STATS.reset()


def test_leads_schema_is_valid_and_generates_without_warnings(leads_schema):
    validate_schema(leads_schema)

    assert not GENERATOR_STATS, (GENERATOR_STATS._warn_cache, GENERATOR_STATS._error_cache)


def test_every_leads_operation_documents_its_responses(leads_schema):
    paths = leads_schema["paths"]
    expected = {
        ("/api/v1/leads/", "get"): {"200", "400", "401", "404"},
        ("/api/v1/leads/", "post"): {"201", "400", "401", "403"},
        ("/api/v1/leads/{id}/", "get"): {"200", "401", "404"},
        ("/api/v1/leads/{id}/", "put"): {"200", "400", "401", "403", "404", "412"},
        ("/api/v1/leads/{id}/", "patch"): {"200", "400", "401", "403", "404", "412"},
        ("/api/v1/leads/{id}/", "delete"): {"204", "400", "401", "403", "404"},
        ("/api/v1/leads/{id}/transition/", "post"): {"200", "400", "401", "403", "404", "409"},
        ("/api/v1/leads/{id}/history/", "get"): {"200", "401", "404"},
        ("/api/v1/leads/{id}/changes/", "get"): {"200", "401", "404"},
        ("/api/v1/leads/{id}/merge/", "post"): {"200", "400", "401", "403", "404"},
        ("/api/v1/prospects/", "get"): {"200", "400", "401", "404"},
        ("/api/v1/prospects/{id}/", "get"): {"200", "401", "404"},
        ("/api/v1/customers/", "get"): {"200", "400", "401", "404"},
        ("/api/v1/customers/{id}/", "get"): {"200", "401", "404"},
    }

    documented = {
        (url, method): set(operation["responses"])
        for url, operations in paths.items()
        for method, operation in operations.items()
        if method in {"get", "post", "put", "patch", "delete"}
    }
    assert set(documented) == set(expected)
    # A project-wide hook may add shared responses (429, ...); ours must all be there.
    missing = {
        op: codes - documented[op] for op, codes in expected.items() if codes - documented[op]
    }
    assert missing == {}


def test_lead_shapes_in_the_schema(leads_schema):
    components = leads_schema["components"]["schemas"]
    request_fields = set(components["LeadRequest"]["properties"])
    transition = leads_schema["paths"]["/api/v1/leads/{id}/transition/"]["post"]

    assert "stage" not in request_fields and "owner" not in request_fields
    assert components["LeadRequest"]["required"] == ["email"]
    assert transition["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/TransitionRequest"
    }
    assert set(components["StageChange"]["properties"]) == {
        "id",
        "from_stage",
        "to_stage",
        "at",
        "actor",
        "cause",
        "reason",
    }


@pytest.mark.django_db
def test_schema_and_docs_are_served(manager):
    client = token_client(manager)

    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/v1/leads/{id}/transition/" in schema.json()["paths"]
    assert client.get("/api/v1/docs/").status_code == 200
