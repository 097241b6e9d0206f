"""A retried POST with the same Idempotency-Key gets the first response and writes nothing."""

import pytest

from funnel.models import StageChange
from integrations.models import IdempotencyRecord
from leads.models import Lead
from tests.api.clients import token_client
from tests.factories import LeadFactory
from tests.integrations.api_key_clients import api_key_client

pytestmark = pytest.mark.django_db


def test_a_retry_returns_the_first_response_and_creates_nothing(manager):
    client = token_client(manager)
    body = {"email": "ada@example.com", "first_name": "Ada"}

    first = client.post("/api/v1/leads/", body, HTTP_IDEMPOTENCY_KEY="create-ada-1")
    retry = client.post("/api/v1/leads/", body, HTTP_IDEMPOTENCY_KEY="create-ada-1")

    assert first.status_code == retry.status_code == 201
    assert retry.content == first.content
    assert retry["Content-Type"] == first["Content-Type"]
    assert retry["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert Lead.objects.count() == 1


def test_without_the_header_a_repeat_runs_again(manager):
    client = token_client(manager)
    body = {"email": "ada@example.com"}

    client.post("/api/v1/leads/", body)
    again = client.post("/api/v1/leads/", body)

    assert again.status_code == 400  # the duplicate email, not a replay
    assert not IdempotencyRecord.objects.exists()


def test_a_new_key_is_a_new_request(manager):
    client = token_client(manager)

    client.post("/api/v1/leads/", {"email": "a@example.com"}, HTTP_IDEMPOTENCY_KEY="k1")
    client.post("/api/v1/leads/", {"email": "b@example.com"}, HTTP_IDEMPOTENCY_KEY="k2")

    assert Lead.objects.count() == 2


def test_it_applies_to_every_post_such_as_a_stage_move(manager):
    lead = LeadFactory()
    client = token_client(manager)
    url = f"/api/v1/leads/{lead.pk}/transition/"

    first = client.post(url, {"to": "prospect"}, HTTP_IDEMPOTENCY_KEY="move-1")
    # Meanwhile the lead moved on; the retry must not act on the new state.
    client.post(url, {"to": "customer"})
    retry = client.post(url, {"to": "prospect"}, HTTP_IDEMPOTENCY_KEY="move-1")

    assert retry.status_code == 200 and retry.content == first.content
    assert retry.json()["stage"] == "prospect"
    assert list(StageChange.objects.values_list("to_stage", flat=True)) == [
        "prospect",
        "customer",
    ]


def test_keys_are_scoped_to_the_caller(manager, marketer):
    body = {"email": "ada@example.com"}

    mine = token_client(manager).post("/api/v1/leads/", body, HTTP_IDEMPOTENCY_KEY="same")
    theirs = token_client(marketer).post("/api/v1/leads/", body, HTTP_IDEMPOTENCY_KEY="same")

    # The marketer's request ran (and hit the duplicate), it was not given the manager's.
    assert mine.status_code == 201
    assert theirs.status_code == 400
    assert "Idempotent-Replayed" not in theirs


def test_an_api_key_is_its_own_caller():
    client, api_key, _ = api_key_client()
    body = {"email": "ada@example.com"}

    first = client.post("/api/v1/leads/", body, HTTP_IDEMPOTENCY_KEY="key-1")
    retry = client.post("/api/v1/leads/", body, HTTP_IDEMPOTENCY_KEY="key-1")

    assert retry.content == first.content and retry["Idempotent-Replayed"] == "true"
    assert IdempotencyRecord.objects.get().principal == f"user:{api_key.user_id}"


def test_session_callers_are_covered_too(client, manager):
    client.force_login(manager)
    body = {"email": "ada@example.com"}

    first = client.post(
        "/api/v1/leads/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="s-1"
    )
    retry = client.post(
        "/api/v1/leads/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="s-1"
    )

    assert first.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert Lead.objects.count() == 1


def test_a_validation_error_is_replayed_as_it_was(manager):
    client = token_client(manager)
    body = {"email": "not-an-email"}

    first = client.post("/api/v1/leads/", body, HTTP_IDEMPOTENCY_KEY="bad-1")
    retry = client.post("/api/v1/leads/", body, HTTP_IDEMPOTENCY_KEY="bad-1")

    assert first.status_code == retry.status_code == 400
    assert retry.content == first.content


def test_get_requests_ignore_the_header(manager):
    response = token_client(manager).get("/api/v1/leads/", HTTP_IDEMPOTENCY_KEY="k")

    assert response.status_code == 200
    assert not IdempotencyRecord.objects.exists()
