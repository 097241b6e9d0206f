"""API clients that authenticate with integration API keys, made by the real service."""

from rest_framework.test import APIClient

from integrations.api_keys.services import api_key_create
from integrations.models import ApiKey


def api_key_client(scope: str = ApiKey.Scope.READ_WRITE, *, name: str = "Test integration"):
    """(client, api_key, raw_key) for a new key of `scope`."""
    api_key, raw_key = api_key_create(name=name, scope=scope)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    return client, api_key, raw_key
