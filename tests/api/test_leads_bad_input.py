"""Malformed bodies, wrong types, oversized or NUL-laden strings, unknown ids: always a 4xx
with a message, nothing written, never a 500."""

import json

import pytest

from funnel.models import StageChange
from leads.models import Lead
from tests.api.clients import token_client
from tests.factories import CampaignFactory, LeadFactory

pytestmark = pytest.mark.django_db

HUGE_ID = "9" * 30

RAW_BODIES = {
    "truncated JSON": b'{"email": "a@example.com"',
    "trailing garbage": b'{"email": "a@example.com"} x',
    "JSON array": b'[{"email": "a@example.com"}]',
    "JSON string": b'"a@example.com"',
    "JSON number": b"42",
    "JSON null": b"null",
    "NaN": b'{"email": "a@example.com", "first_name": NaN}',
    "invalid UTF-8": b'{"email": "\xff\xfe@example.com"}',
    "deeply nested": b'{"email": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "lone surrogate": b'{"email": "a@example.com", "last_name": "\\ud800"}',
    "4,400-digit number": b'{"email": "a@example.com", "source_campaign": ' + b"9" * 4400 + b"}",
}

FIELD_VALUES = [
    ("email", 123),
    ("email", ["a@example.com"]),
    ("email", {"address": "a@example.com"}),
    ("email", None),
    ("email", ""),
    ("email", "not-an-email"),
    ("email", "x" * 300 + "@example.com"),
    ("email", "nul\x00@example.com"),
    ("email", "a@example.com\x00"),
    ("first_name", "x" * 101),
    ("first_name", True),
    ("first_name", ["Ada"]),
    ("first_name", {"given": "Ada"}),
    ("first_name", "Ada\x00"),
    ("company", "x" * 10_000),
    ("phone", "1" * 51),
    ("company_size", "huge"),
    ("company_size", 50),
    ("source_campaign", 999_999),
    ("source_campaign", int(HUGE_ID)),
    ("source_campaign", -1),
    ("source_campaign", "abc"),
    ("source_campaign", 1.5),
    ("source_campaign", 1e308),
    ("source_campaign", True),
    ("source_campaign", [1]),
    ("marketing_consent", "maybe"),
    ("marketing_consent", 2),
    ("marketing_consent", []),
]


def assert_clear_4xx(response, *, status=400):
    assert response.status_code == status, response.content[:500]
    body = response.json()
    assert body and all(body.values())


@pytest.mark.parametrize("raw", RAW_BODIES.values(), ids=RAW_BODIES.keys())
def test_unusable_create_bodies_are_400(marketer, raw):
    response = token_client(marketer).generic(
        "POST", "/api/v1/leads/", raw, content_type="application/json"
    )

    assert_clear_4xx(response)
    assert not Lead.objects.exists()


@pytest.mark.parametrize("raw", RAW_BODIES.values(), ids=RAW_BODIES.keys())
def test_unusable_update_and_transition_bodies_are_400(marketer, raw):
    lead = LeadFactory(company="Kept")
    client = token_client(marketer)

    for method, url in [
        ("PATCH", f"/api/v1/leads/{lead.pk}/"),
        ("PUT", f"/api/v1/leads/{lead.pk}/"),
        ("POST", f"/api/v1/leads/{lead.pk}/transition/"),
    ]:
        response = client.generic(method, url, raw, content_type="application/json")
        assert_clear_4xx(response)

    lead.refresh_from_db()
    assert (lead.company, lead.stage) == ("Kept", "lead")
    assert not StageChange.objects.exists()


@pytest.mark.parametrize(("field", "value"), FIELD_VALUES, ids=lambda v: repr(v)[:30])
def test_wrong_field_values_on_create_are_400_on_that_field(marketer, field, value):
    CampaignFactory()
    body = {"email": "fresh@example.com", field: value}

    response = token_client(marketer).post("/api/v1/leads/", body, format="json")

    assert_clear_4xx(response)
    assert list(response.json()) == [field]
    assert not Lead.objects.exists()


@pytest.mark.parametrize(("field", "value"), FIELD_VALUES, ids=lambda v: repr(v)[:30])
def test_wrong_field_values_on_update_are_400_and_change_nothing(marketer, field, value):
    lead = LeadFactory(email="kept@example.com", title="Kept")
    before = Lead.objects.values().get(pk=lead.pk)

    response = token_client(marketer).patch(
        f"/api/v1/leads/{lead.pk}/", {field: value, "title": "Changed"}, format="json"
    )

    assert_clear_4xx(response)
    assert list(response.json()) == [field]
    assert Lead.objects.values().get(pk=lead.pk) == before


@pytest.mark.parametrize(
    "body",
    [
        {"to": "prospect\x00"},
        {"to": "prospect", "reason": "why\x00"},
        {"to": "prospect", "reason": "x" * 501},
        {"to": "prospect", "reason": ["list"]},
        {"to": "prospect", "reason": None},
    ],
    ids=lambda b: repr(b)[:30],
)
def test_bad_transition_fields_are_400_and_move_nothing(marketer, body):
    lead = LeadFactory()

    response = token_client(marketer).post(
        f"/api/v1/leads/{lead.pk}/transition/", body, format="json"
    )

    assert_clear_4xx(response)
    lead.refresh_from_db()
    assert lead.stage == "lead"
    assert not StageChange.objects.exists()


def test_form_encoded_bodies_are_validated_the_same_way(marketer):
    response = token_client(marketer).post(
        "/api/v1/leads/",
        "email=x%00%40example.com",
        content_type="application/x-www-form-urlencoded",
    )

    assert_clear_4xx(response)
    assert list(response.json()) == ["email"]


def test_unsupported_content_type_is_415(marketer):
    response = token_client(marketer).generic(
        "POST", "/api/v1/leads/", b"email=a@example.com", content_type="text/plain"
    )

    assert_clear_4xx(response, status=415)
    assert not Lead.objects.exists()


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("GET", ""),
        ("PATCH", ""),
        ("PUT", ""),
        ("DELETE", ""),
        ("GET", "history/"),
        ("POST", "transition/"),
    ],
)
@pytest.mark.parametrize("lead_id", ["424242", HUGE_ID, "0"])
def test_unknown_ids_are_404(manager, method, suffix, lead_id):
    LeadFactory()
    body = json.dumps({"email": "a@example.com", "to": "prospect"})

    response = token_client(manager).generic(
        method, f"/api/v1/leads/{lead_id}/{suffix}", body, content_type="application/json"
    )

    assert response.status_code == 404
    assert Lead.objects.count() == 1


@pytest.mark.parametrize("path", ["abc/", "1.5/", "-1/", "%00/", "1%00/", "bulkx/"])
def test_non_numeric_ids_do_not_reach_the_detail_route(manager, path):
    response = token_client(manager).get(f"/api/v1/leads/{path}")

    assert response.status_code == 404
