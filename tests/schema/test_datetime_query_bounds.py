"""Every date-time query parameter of the API, with values at the edges of what the
databases accept: offsets beyond ±15:59 (PostgreSQL refuses them) and instants that
overflow when converted to UTC (SQLite). Each is a 2xx or a 400, never a 500. Found by
the schema fuzzing; parameters are read from the schema, so new ones are covered."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.api.clients import token_client

pytestmark = pytest.mark.django_db

EDGE_VALUES = [
    "2020-01-01T00:00:00-21:21",
    "2020-01-01T00:00:00+23:59",
    "0001-01-01T00:00:00+05:00",
    "9999-12-31T23:59:59-05:00",
    "0001-01-01",
    "9999-12-31",
]


def datetime_query_parameters() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = []
    for path, methods in schema["paths"].items():
        if "{" in path or "get" not in methods:
            continue
        for parameter in methods["get"].get("parameters", []):
            if parameter.get("in") == "query" and parameter.get("schema", {}).get("format") in (
                "date-time",
                "date",
            ):
                found.append((path, parameter["name"]))
    return sorted(found)


def test_there_are_date_time_parameters_to_check():
    assert ("/api/v1/leads/", "created_after") in datetime_query_parameters()


@pytest.mark.parametrize("value", EDGE_VALUES)
def test_edge_date_times_are_answered_without_a_server_error(manager, value):
    client = token_client(manager)
    client.raise_request_exception = False
    failures = []
    for path, name in datetime_query_parameters():
        response = client.get(path, {name: value})
        if response.status_code >= 500:
            failures.append(f"{path}?{name}={value}: {response.status_code}")

    assert not failures
