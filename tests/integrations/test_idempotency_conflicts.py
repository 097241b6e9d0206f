"""Refusals: the same key for another request (422), still in flight (409), a bad key (400);
and what is not stored, so that a retry really runs again."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.idempotency import idempotency_claim, request_fingerprint
from integrations.models import IdempotencyRecord
from leads.models import Lead
from tests.api.clients import token_client
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_the_same_key_with_another_body_is_422_and_writes_nothing(manager):
    client = token_client(manager)
    client.post("/api/v1/leads/", {"email": "a@example.com"}, HTTP_IDEMPOTENCY_KEY="k")

    response = client.post("/api/v1/leads/", {"email": "b@example.com"}, HTTP_IDEMPOTENCY_KEY="k")

    assert response.status_code == 422
    assert "different request" in response.json()["detail"]
    assert list(Lead.objects.values_list("email", flat=True)) == ["a@example.com"]


def test_the_same_key_on_another_endpoint_is_422(manager):
    lead = LeadFactory()
    client = token_client(manager)
    client.post("/api/v1/leads/", {"email": "a@example.com"}, HTTP_IDEMPOTENCY_KEY="k")

    response = client.post(
        f"/api/v1/leads/{lead.pk}/transition/", {"to": "prospect"}, HTTP_IDEMPOTENCY_KEY="k"
    )

    assert response.status_code == 422
    lead.refresh_from_db()
    assert lead.stage == "lead"


def test_a_request_still_in_flight_is_409(manager):
    body = json.dumps({"email": "a@example.com"}).encode()
    # The first request has claimed the key and is still running.
    claim = idempotency_claim(
        principal=f"user:{manager.pk}",
        key="k",
        fingerprint=request_fingerprint(method="POST", path="/api/v1/leads/", query="", body=body),
        method="POST",
        path="/api/v1/leads/",
    )
    assert claim.record is not None

    response = token_client(manager).post(
        "/api/v1/leads/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k"
    )

    assert response.status_code == 409
    assert "still being processed" in response.json()["detail"]
    assert not Lead.objects.exists()


def test_an_abandoned_claim_is_taken_over_after_the_timeout(manager):
    IdempotencyRecord.objects.create(
        principal=f"user:{manager.pk}",
        key="k",
        fingerprint="x" * 64,
        method="POST",
        path="/api/v1/leads/",
        created_at=timezone.now() - timedelta(minutes=6),
    )

    response = token_client(manager).post(
        "/api/v1/leads/", {"email": "a@example.com"}, HTTP_IDEMPOTENCY_KEY="k"
    )

    assert response.status_code == 201
    assert Lead.objects.count() == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\tinside", "ünïcode"])
def test_a_malformed_key_is_400(manager, key):
    response = token_client(manager).post(
        "/api/v1/leads/", {"email": "a@example.com"}, HTTP_IDEMPOTENCY_KEY=key
    )

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]
    assert not Lead.objects.exists()


def test_refusals_that_say_try_again_are_not_stored(rep):
    foreign = LeadFactory(owner=None)  # visible to the rep but not theirs: 403
    client = token_client(rep)

    forbidden = client.post(
        f"/api/v1/leads/{foreign.pk}/transition/", {"to": "prospect"}, HTTP_IDEMPOTENCY_KEY="r1"
    )

    assert forbidden.status_code == 403
    assert not IdempotencyRecord.objects.exists()
    # Once allowed, the same key runs for real.
    foreign.owner = rep
    foreign.save(update_fields=["owner"])
    allowed = client.post(
        f"/api/v1/leads/{foreign.pk}/transition/", {"to": "prospect"}, HTTP_IDEMPOTENCY_KEY="r1"
    )
    assert allowed.status_code == 200 and "Idempotent-Replayed" not in allowed


def test_a_409_conflict_is_not_stored(manager):
    lead = LeadFactory()
    client = token_client(manager)
    url = f"/api/v1/leads/{lead.pk}/transition/"

    refused = client.post(url, {"to": "customer"}, HTTP_IDEMPOTENCY_KEY="c1")

    assert refused.status_code == 409
    assert not IdempotencyRecord.objects.exists()


def test_anonymous_posts_pass_through_untouched():
    from rest_framework.test import APIClient

    response = APIClient().post(
        "/api/v1/leads/", {"email": "a@example.com"}, HTTP_IDEMPOTENCY_KEY="k"
    )

    assert response.status_code == 401
    assert not IdempotencyRecord.objects.exists()


def test_a_bad_token_passes_through_to_the_401(manager):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")

    response = client.post("/api/v1/leads/", {"email": "a@example.com"}, HTTP_IDEMPOTENCY_KEY="k")

    assert response.status_code == 401
    assert not IdempotencyRecord.objects.exists()


def test_public_endpoints_without_authentication_are_left_alone(manager):
    # Lead capture authenticates nobody, so there is no caller to scope a key to.
    client = token_client(manager)

    for _ in range(2):
        client.post("/api/v1/capture/", {"email": "a@example.com"}, HTTP_IDEMPOTENCY_KEY="k")

    assert not IdempotencyRecord.objects.exists()
