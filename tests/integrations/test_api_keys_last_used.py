"""`last_used_at` is kept, but written at most once a minute per key."""

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.api_keys.services import api_key_touch
from integrations.models import ApiKey
from tests.integrations.api_key_clients import api_key_client

pytestmark = pytest.mark.django_db


def test_a_request_records_when_the_key_was_used():
    client, api_key, _ = api_key_client()
    before = timezone.now()

    client.get("/api/v1/leads/")

    api_key.refresh_from_db()
    assert api_key.last_used_at is not None and api_key.last_used_at >= before


def test_requests_within_a_minute_write_once(django_assert_num_queries):
    client, api_key, _ = api_key_client()
    client.get("/api/v1/leads/")
    api_key.refresh_from_db()
    first_use = api_key.last_used_at

    # Later requests in the same minute: the key look-up only, no UPDATE.
    with django_assert_num_queries(1):
        assert not api_key_touch(api_key=ApiKey.objects.get(pk=api_key.pk))
    client.get("/api/v1/leads/")

    api_key.refresh_from_db()
    assert api_key.last_used_at == first_use


def test_after_a_minute_the_next_use_is_recorded():
    _, api_key, _ = api_key_client()
    now = timezone.now()
    assert api_key_touch(api_key=api_key, now=now)

    assert not api_key_touch(api_key=api_key, now=now + timedelta(seconds=59))
    assert api_key_touch(api_key=api_key, now=now + timedelta(seconds=61))

    api_key.refresh_from_db()
    assert api_key.last_used_at == now + timedelta(seconds=61)


def test_a_stale_copy_of_the_key_does_not_write_twice():
    # Two requests loaded the key before either touched it: one UPDATE wins.
    _, api_key, _ = api_key_client()
    first, second = ApiKey.objects.get(pk=api_key.pk), ApiKey.objects.get(pk=api_key.pk)
    now = timezone.now()

    assert api_key_touch(api_key=first, now=now)
    assert not api_key_touch(api_key=second, now=now + timedelta(seconds=1))
