"""Checks a real response against what the served OpenAPI document says about it, with
the OpenAPI 3.0 dialect (`nullable`) of openapi-schema-validator."""

import json
from functools import cache

from openapi_schema_validator import OAS30Validator
from rest_framework.test import APIClient


@cache
def served_schema() -> dict:
    response = APIClient().get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def schema_errors(path: str, method: str, response) -> list[str]:
    """The ways `response`'s body breaks the schema documented for `path`, `method` and
    its status code (an undocumented status code is itself an error)."""
    document = served_schema()
    responses = document["paths"][path][method]["responses"]
    documented = responses.get(str(response.status_code))
    if documented is None:
        return [f"status {response.status_code} is not documented"]
    body_schema = documented["content"]["application/json"]["schema"]
    # The components travel with the schema so its `$ref`s resolve.
    validator = OAS30Validator({**body_schema, "components": document["components"]})
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(response.json())
    ]
