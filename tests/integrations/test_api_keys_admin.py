"""API keys in the Django admin: created through the service, shown once, revoked."""

import pytest

from integrations.api_keys.services import api_key_create
from integrations.models import ApiKey
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_adding_a_key_shows_it_once_and_makes_its_service_user(admin_client):
    response = admin_client.post(
        "/admin/integrations/apikey/add/", {"name": "ERP", "scope": "read"}, follow=True
    )

    assert response.status_code == 200
    api_key = ApiKey.objects.get()
    page = response.content.decode()
    assert f"The API key for “ERP” is {api_key.prefix}." in page
    assert "will not be shown again" in page
    assert api_key.user.username == f"api-key-{api_key.prefix}"
    assert api_key.scope == "read"


def test_the_change_list_and_form_open(admin_client):
    api_key, _ = api_key_create(name="ERP", scope="read_write")

    assert admin_client.get("/admin/integrations/apikey/").status_code == 200
    assert admin_client.get(f"/admin/integrations/apikey/{api_key.pk}/change/").status_code == 200


def test_the_revoke_action_revokes(admin_client):
    first, _ = api_key_create(name="One", scope="read")
    second, _ = api_key_create(name="Two", scope="read")

    admin_client.post(
        "/admin/integrations/apikey/",
        {"action": "revoke_keys", "_selected_action": [first.pk]},
    )

    assert ApiKey.objects.get(pk=first.pk).revoked_at is not None
    assert ApiKey.objects.get(pk=second.pk).revoked_at is None


def test_keys_cannot_be_deleted_only_revoked(admin_client):
    api_key, _ = api_key_create(name="ERP", scope="read")

    response = admin_client.post(
        f"/admin/integrations/apikey/{api_key.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 403
    assert ApiKey.objects.filter(pk=api_key.pk).exists()
