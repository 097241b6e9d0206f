"""What is stored for a key: a hash and a visible prefix, never the key itself."""

import pytest
from django.contrib.auth.models import Group
from rest_framework_api_key.crypto import KeyGenerator

from funnel.roles import is_manager
from integrations.api_keys.services import INTEGRATIONS_GROUP, api_key_create
from integrations.models import ApiKey

pytestmark = pytest.mark.django_db


def test_only_a_hash_and_the_prefix_are_stored(manager):
    api_key, raw_key = api_key_create(name="CRM sync", scope="read", created_by=manager)

    prefix, _, secret = raw_key.partition(".")
    stored = ApiKey.objects.values().get(pk=api_key.pk)
    assert stored["prefix"] == prefix and len(prefix) == 8
    assert len(secret) == 32
    assert stored["hashed_key"].startswith("sha512$$")
    assert KeyGenerator().verify(raw_key, stored["hashed_key"])
    assert not any(secret in str(value) for value in stored.values())
    assert stored["created_by_id"] == manager.pk
    assert stored["last_used_at"] is None and stored["revoked_at"] is None


def test_each_key_acts_as_its_own_service_user_that_cannot_log_in():
    first, _ = api_key_create(name="One", scope="read")
    second, _ = api_key_create(name="Two", scope="read_write")

    assert first.user_id != second.user_id
    for api_key in (first, second):
        user = api_key.user
        assert user.username == f"api-key-{api_key.prefix}"
        assert not user.is_active
        assert not user.has_usable_password()
        assert is_manager(user)
        assert set(user.groups.values_list("name", flat=True)) == {"managers", INTEGRATIONS_GROUP}
    assert Group.objects.filter(name=INTEGRATIONS_GROUP).count() == 1


def test_an_unknown_scope_is_refused():
    with pytest.raises(ValueError):
        api_key_create(name="Bad", scope="admin")
    assert not ApiKey.objects.exists()
