"""Keys live 24 hours: after that the same key is a new request, and the hourly task
deletes the old records."""

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import IdempotencyRecord
from integrations.tasks import idempotency_records_purge
from leads.models import Lead
from tests.api.clients import token_client

pytestmark = pytest.mark.django_db


def _age(hours: float) -> None:
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=hours))


def test_within_24_hours_the_key_replays(manager):
    client = token_client(manager)
    client.post("/api/v1/leads/", {"email": "a@example.com"}, HTTP_IDEMPOTENCY_KEY="k")
    _age(23.9)

    retry = client.post("/api/v1/leads/", {"email": "a@example.com"}, HTTP_IDEMPOTENCY_KEY="k")

    assert retry["Idempotent-Replayed"] == "true"


def test_after_24_hours_the_key_is_new_again(manager):
    client = token_client(manager)
    client.post("/api/v1/leads/", {"email": "a@example.com"}, HTTP_IDEMPOTENCY_KEY="k")
    _age(24.1)

    later = client.post("/api/v1/leads/", {"email": "b@example.com"}, HTTP_IDEMPOTENCY_KEY="k")

    assert later.status_code == 201 and "Idempotent-Replayed" not in later
    assert Lead.objects.count() == 2
    assert IdempotencyRecord.objects.count() == 1


def test_the_purge_task_deletes_expired_records_only(manager):
    client = token_client(manager)
    client.post("/api/v1/leads/", {"email": "a@example.com"}, HTTP_IDEMPOTENCY_KEY="old")
    _age(25)
    client.post("/api/v1/leads/", {"email": "b@example.com"}, HTTP_IDEMPOTENCY_KEY="new")

    assert idempotency_records_purge() == 1
    assert idempotency_records_purge() == 0
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


def test_the_purge_is_in_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert "integrations.tasks.idempotency_records_purge" in tasks
