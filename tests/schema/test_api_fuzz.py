"""Schemathesis fuzzes every operation of the OpenAPI schema, in process, as a manager:
no server error, and every response's status code and body are the ones the schema
documents. Runs on SQLite and on PostgreSQL (CI).

Run time is bounded by FUZZ_MAX_EXAMPLES per operation (env, default 10) plus
schemathesis' deterministic coverage cases.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from tests.security.world import build

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "10"))

schema = schemathesis.openapi.from_wsgi(
    "/api/v1/schema/",
    application,
    config=schemathesis.Config.from_dict(
        {
            "generation": {
                "max-examples": MAX_EXAMPLES,
                # We authenticate ourselves; don't fuzz the Authorization header.
                "with-security-parameters": False,
                "database": "none",
            },
            "phases": {"stateful": {"enabled": False}},
        }
    ),
)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # Django's request signals would close the test's database connection (it sits in a
    # transaction); its own test client disconnects them the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_world(db):
    world = build()
    token, _ = Token.objects.get_or_create(user=world.sales.manager)
    ids = {
        "leads": [lead.pk for group in world.leads.values() for lead in group],
        "prospects": [world.sales.a.lead.pk, world.sales.pool_lead.pk],
        "customers": [group[-1].pk for group in world.leads.values()],
        "deals": [world.sales.a.deal.pk, world.sales.b.deal.pk],
        "activities": [world.sales.a.activity.pk, world.sales.b.task.pk],
        "sequences": [world.sales.a.sequence.pk],
        "enrolments": [world.sales.a.enrolment.pk],
        "quotas": [world.sales.a.quota.pk, world.sales.team_quota.pk],
        "campaigns": [world.campaign.pk],
        "touches": [world.touch.pk],
        "webhooks": [world.webhook.pk],
        "spend_pk": [world.spend.pk],
        "delivery_id": [world.delivery.pk],
    }
    return token.key, ids


def _with_real_ids(case, ids: dict[str, list[int]]) -> None:
    """Half of the generated ids (the even ones) are replaced by a real record's, so the
    fuzzer reaches found records as well as missing ones; deterministic for shrinking."""
    resource = case.path.removeprefix("/api/v1/").split("/", 1)[0]
    for name, value in (case.path_parameters or {}).items():
        pool = ids.get(name) or ids.get(resource)
        if pool and isinstance(value, int) and value % 2 == 0:
            case.path_parameters[name] = pool[(value // 2) % len(pool)]


@schema.parametrize()
@settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_conforms_to_the_schema(case, fuzz_world):
    token, ids = fuzz_world
    _with_real_ids(case, ids)
    case.call_and_validate(
        headers={"Authorization": f"Token {token}"},
        checks=[not_a_server_error, status_code_conformance, response_schema_conformance],
    )
