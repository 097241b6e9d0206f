"""The quota list's `on` filter refuses days outside 1970-01-01..9998-12-31 (issue 10);
the schema says so with a pattern, so a schema-valid day is never refused (the fuzzer
found `?on=0194-04-05` answered 400 to a request the schema called valid)."""

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.api.clients import token_client

pytestmark = pytest.mark.django_db

DAYS = ["0194-04-05", "1969-12-31", "1970-01-01", "2027-03-31", "9998-12-31", "9999-01-01"]


def test_the_schema_accepts_exactly_the_days_the_filter_accepts(manager):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    (on,) = [
        p for p in schema["paths"]["/api/v1/quotas/"]["get"]["parameters"] if p["name"] == "on"
    ]
    pattern = re.compile(on["schema"]["pattern"])
    client = token_client(manager)

    for day in DAYS:
        status = client.get("/api/v1/quotas/", {"on": day}).status_code
        assert (status == 200) == bool(pattern.match(day)), (day, status)
