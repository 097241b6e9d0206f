"""Managers create and revoke keys on /integrations/api-keys/; the key is shown once."""

import pytest
from django.urls import reverse

from integrations.api_keys.services import api_key_create
from integrations.models import ApiKey
from tests.integrations.api_key_clients import api_key_client

pytestmark = pytest.mark.django_db

URL = "/integrations/api-keys/"


def test_the_integrations_entry_leads_managers_to_api_keys(client, manager):
    client.force_login(manager)

    home = client.get("/")
    index = client.get("/integrations/")

    assert 'href="/integrations/"' in home.content.decode()
    assert index.status_code == 302 and index["Location"] == URL


@pytest.mark.parametrize("role", ["marketer", "rep"])
def test_other_roles_neither_see_nor_open_it(client, role, request):
    client.force_login(request.getfixturevalue(role))

    assert 'href="/integrations/"' not in client.get("/").content.decode()
    assert client.get(URL).status_code == 403
    assert client.get("/integrations/").status_code == 403
    assert client.post(URL, {"name": "Sneaky", "scope": "read_write"}).status_code == 403
    assert not ApiKey.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_new_key_is_shown_once_and_works(client, manager):
    client.force_login(manager)

    response = client.post(URL, {"name": "Website sync", "scope": "read_write"})

    assert response.status_code == 200
    api_key = ApiKey.objects.get()
    raw_key = response.context["created_key"]["raw_key"]
    page = response.content.decode()
    assert raw_key in page
    assert "only time it is shown" in page
    assert "no-store" in response["Cache-Control"]
    assert (api_key.name, api_key.scope, api_key.created_by) == (
        "Website sync",
        "read_write",
        manager,
    )
    later = client.get(URL).content.decode()
    assert raw_key not in later
    assert f"{api_key.prefix}…" in later
    assert "Read and write" in later


def test_an_invalid_form_creates_nothing(client, manager):
    client.force_login(manager)

    response = client.post(URL, {"name": "   ", "scope": "everything"})

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"name", "scope"}
    assert not ApiKey.objects.exists()


def test_revoking_a_key_stops_it_and_the_list_says_so(client, manager):
    key_client, api_key, _ = api_key_client(name="Old sync")
    client.force_login(manager)

    response = client.post(reverse("integrations:api_key_revoke", args=[api_key.pk]), follow=True)

    api_key.refresh_from_db()
    assert api_key.revoked_at is not None and api_key.revoked_by == manager
    assert "Revoked “Old sync”" in response.content.decode()
    assert key_client.get("/api/v1/leads/").status_code == 401


def test_revoking_twice_keeps_the_first_revocation(client, manager):
    api_key, _ = api_key_create(name="Sync", scope="read")
    client.force_login(manager)
    url = reverse("integrations:api_key_revoke", args=[api_key.pk])
    client.post(url)
    first = ApiKey.objects.get().revoked_at

    response = client.post(url, follow=True)

    assert ApiKey.objects.get().revoked_at == first
    assert "already revoked" in response.content.decode()


def test_revoke_is_post_only(client, manager):
    api_key, _ = api_key_create(name="Sync", scope="read")
    client.force_login(manager)

    response = client.get(reverse("integrations:api_key_revoke", args=[api_key.pk]))

    assert response.status_code == 405
    assert ApiKey.objects.get().revoked_at is None


def test_the_list_shows_last_use_and_active_keys_first(client, manager):
    used_client, _, _ = api_key_client(name="Used")
    used_client.get("/api/v1/leads/")
    revoked, _ = api_key_create(name="Revoked", scope="read")
    revoked.revoked_at = revoked.created_at
    revoked.save(update_fields=["revoked_at"])
    api_key_create(name="Fresh", scope="read")
    client.force_login(manager)

    response = client.get(URL)

    names = [key.name for key in response.context["api_keys"]]
    assert names == ["Fresh", "Used", "Revoked"]
    assert "Never" in response.content.decode()
