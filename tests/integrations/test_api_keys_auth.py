"""Authenticating with `Authorization: Api-Key <key>`: scope, revocation, bad keys."""

import pytest
from rest_framework.test import APIClient

from funnel.models import StageChange
from integrations.api_keys.services import api_key_revoke
from integrations.models import ApiKey
from leads.models import Lead
from tests.api.clients import token_client
from tests.factories import LeadFactory, RepFactory
from tests.integrations.api_key_clients import api_key_client

pytestmark = pytest.mark.django_db


def test_a_read_key_reads_every_lead_like_a_manager():
    LeadFactory(owner=RepFactory())
    LeadFactory(owner=None)
    client, _, _ = api_key_client(ApiKey.Scope.READ)

    response = client.get("/api/v1/leads/")

    assert response.status_code == 200
    assert len(response.json()["results"]) == 2


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_read_key_may_not_write(method):
    lead = LeadFactory(first_name="Ada")
    client, _, _ = api_key_client(ApiKey.Scope.READ)
    url = "/api/v1/leads/" if method == "post" else f"/api/v1/leads/{lead.pk}/"

    response = getattr(client, method)(url, {"email": "new@example.com", "first_name": "X"})

    assert response.status_code == 403
    assert response.json() == {"detail": "This API key is read-only."}
    lead.refresh_from_db()
    assert lead.first_name == "Ada"
    assert Lead.objects.count() == 1


def test_a_read_key_may_not_move_a_lead():
    lead = LeadFactory()
    client, _, _ = api_key_client(ApiKey.Scope.READ)

    response = client.post(f"/api/v1/leads/{lead.pk}/transition/", {"to": "prospect"})

    assert response.status_code == 403
    assert not StageChange.objects.exists()


def test_a_read_write_key_creates_and_moves_leads_and_history_names_it():
    client, api_key, _ = api_key_client(ApiKey.Scope.READ_WRITE, name="Website sync")

    created = client.post("/api/v1/leads/", {"email": "Ada@Example.com"})
    moved = client.post(f"/api/v1/leads/{created.json()['id']}/transition/", {"to": "prospect"})

    assert created.status_code == 201
    assert created.json()["email"] == "ada@example.com"
    assert created.json()["owner"] is None
    assert moved.status_code == 200
    change = StageChange.objects.get()
    assert change.actor == api_key.user
    assert change.cause == "api"


@pytest.mark.parametrize(
    "header",
    [
        "Api-Key nonsense",
        "Api-Key abcdefgh.wrongsecretwrongsecretwrongsecret",
        "Api-Key",
        "Api-Key a b",
        "Api-Key " + "x" * 5000,
        "api-key \x00.\x00",
    ],
)
def test_a_bad_key_is_401_and_reads_nothing(header):
    LeadFactory()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get("/api/v1/leads/")

    assert response.status_code == 401
    assert "results" not in response.json()


def test_a_key_with_a_valid_prefix_and_a_wrong_secret_is_refused():
    _, api_key, raw_key = api_key_client()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {api_key.prefix}.{'A' * 32}")

    assert client.get("/api/v1/leads/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    assert client.get("/api/v1/leads/").status_code == 200


def test_a_revoked_key_stops_working_at_once():
    client, api_key, _ = api_key_client()
    assert client.get("/api/v1/leads/").status_code == 200

    api_key_revoke(api_key_id=api_key.pk)

    response = client.get("/api/v1/leads/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid or revoked API key."}


def test_user_tokens_keep_working_beside_keys(manager):
    LeadFactory()

    response = token_client(manager).get("/api/v1/leads/")

    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


def test_the_service_user_cannot_log_in_or_get_a_token(client):
    _, api_key, raw_key = api_key_client()
    username = api_key.user.username

    token = APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": raw_key}, format="json"
    )
    login = client.post("/login/", {"username": username, "password": raw_key})

    assert token.status_code == 400
    assert login.status_code == 200  # the form again, with its error
    assert "_auth_user_id" not in client.session
