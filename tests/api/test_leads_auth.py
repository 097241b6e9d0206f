import pytest
from rest_framework.test import APIClient

from leads.models import Lead
from tests.api.clients import token_client
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LEAD_URLS = ["/api/v1/leads/", "/api/v1/prospects/", "/api/v1/customers/"]


def test_token_obtained_with_username_and_password_authenticates(rep):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": rep.username, "password": PASSWORD}, format="json"
    )

    assert response.status_code == 200
    token = response.json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/leads/").status_code == 200


def test_token_refused_for_wrong_password(rep):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": rep.username, "password": "nope"}, format="json"
    )

    assert response.status_code == 400
    assert "non_field_errors" in response.json()


@pytest.mark.parametrize("url", [*LEAD_URLS, "/api/v1/leads/1/", "/api/v1/leads/1/history/"])
def test_no_credentials_is_401_with_token_challenge(url):
    response = APIClient().get(url)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_invalid_token_is_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = client.get("/api/v1/leads/")

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


def test_unauthenticated_writes_are_401_and_write_nothing(lead):
    client = APIClient()
    company = lead.company

    assert client.post("/api/v1/leads/", {"email": "x@example.com"}).status_code == 401
    assert client.patch(f"/api/v1/leads/{lead.pk}/", {"company": "X"}).status_code == 401
    assert client.delete(f"/api/v1/leads/{lead.pk}/").status_code == 401
    transition = client.post(f"/api/v1/leads/{lead.pk}/transition/", {"to": "prospect"})
    assert transition.status_code == 401
    lead.refresh_from_db()
    assert (lead.stage, lead.company) == ("lead", company)
    assert not lead.stage_changes.exists()
    assert Lead.objects.count() == 1


def test_session_login_works_too(client, rep):
    client.force_login(rep)

    assert client.get("/api/v1/leads/").status_code == 200


def test_inactive_user_token_is_refused(rep):
    client = token_client(rep)
    rep.is_active = False
    rep.save(update_fields=["is_active"])

    assert client.get("/api/v1/leads/").status_code == 401
