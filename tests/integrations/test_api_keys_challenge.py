"""A 401's `WWW-Authenticate` names the scheme the caller tried: an integration sending a
bad or revoked `Api-Key` is told `Api-Key`, not DRF's first scheme, `Token`."""

import pytest
from rest_framework.test import APIClient

from integrations.api_keys.services import api_key_revoke
from tests.integrations.api_key_clients import api_key_client

pytestmark = pytest.mark.django_db
URL = "/api/v1/leads/"


def _get(authorization: str | None):
    client = APIClient()
    if authorization:
        client.credentials(HTTP_AUTHORIZATION=authorization)
    return client.get(URL)


@pytest.mark.parametrize(
    ("authorization", "challenge"),
    [
        ("Api-Key AbCd1234.nonsense", "Api-Key"),
        ("api-key AbCd1234.nonsense", "Api-Key"),
        ("Api-Key", "Api-Key"),
        ("Token 0123456789abcdef0123456789abcdef01234567", "Token"),
        (None, "Token"),
    ],
)
def test_the_challenge_names_the_scheme_tried(authorization, challenge):
    response = _get(authorization)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == challenge


def test_a_revoked_key_is_challenged_as_an_api_key():
    client, api_key, _ = api_key_client()
    api_key_revoke(api_key_id=api_key.pk)

    response = client.get(URL)

    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid or revoked API key."
    assert response["WWW-Authenticate"] == "Api-Key"
