"""A query parameter given a value it cannot read is a 400 naming the parameter, never
silently ignored. Parameters are read from the schema, so new ones are covered: every
boolean, integer, enum and date one, with a value of the wrong kind and an empty one."""

import pytest

from tests.api.clients import token_client
from tests.schema.conformance import served_schema

pytestmark = pytest.mark.django_db

UNREADABLE = ["null", "", "x1"]


def typed_query_parameters() -> list[tuple[str, str]]:
    found = []
    for path, operations in served_schema()["paths"].items():
        if "{" in path or "get" not in operations:
            continue
        for parameter in operations["get"].get("parameters", []):
            schema = parameter.get("schema", {})
            schema = schema.get("items", schema) if schema.get("type") == "array" else schema
            typed = schema.get("type") in ("boolean", "integer") or "enum" in schema
            if parameter["in"] == "query" and (typed or "format" in schema):
                found.append((path, parameter["name"]))
    return sorted(found)


def test_the_parameters_of_the_issue_are_checked():
    parameters = typed_query_parameters()

    for expected in [
        ("/api/v1/leads/", "page_size"),
        ("/api/v1/leads/", "unassigned"),
        ("/api/v1/quotas/", "team"),
        ("/api/v1/quotas/", "period"),
        ("/api/v1/deals/", "repeat"),
        ("/api/v1/activities/", "overdue"),
    ]:
        assert expected in parameters


@pytest.mark.parametrize("value", UNREADABLE, ids=["null", "empty", "x1"])
def test_an_unreadable_value_is_a_400_naming_the_parameter(manager, value):
    client = token_client(manager)
    failures = []
    for path, name in typed_query_parameters():
        response = client.get(path, {name: value})
        if response.status_code != 400 or name not in response.json():
            failures.append(f"{path}?{name}={value}: {response.status_code}")

    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("value", UNREADABLE, ids=["null", "empty", "x1"])
def test_an_unreadable_timeline_page_size_is_a_400(manager, lead, value):
    response = token_client(manager).get(f"/api/v1/leads/{lead.pk}/timeline/", {"page_size": value})

    assert response.status_code == 400
    assert "page_size" in response.json()
