"""Concurrent duplicates: the unique constraint lets exactly one request run."""

import threading

import pytest
from django.db import connection

from integrations.models import IdempotencyRecord
from leads.models import Lead
from tests.api.clients import token_client
from tests.factories import ManagerFactory
from tests.support import postgres_only

WORKERS = 8


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_simultaneous_retries_write_once():
    manager = ManagerFactory()
    token_client(manager)  # creates the token before the threads start
    barrier = threading.Barrier(WORKERS)
    statuses: list[tuple[int, bool]] = []
    lock = threading.Lock()

    def send():
        try:
            client = token_client(manager)
            barrier.wait()
            response = client.post(
                "/api/v1/leads/", {"email": "race@example.com"}, HTTP_IDEMPOTENCY_KEY="race"
            )
            with lock:
                statuses.append((response.status_code, response.has_header("Idempotent-Replayed")))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Lead.objects.filter(email="race@example.com").count() == 1
    fresh = [status for status, replayed in statuses if status == 201 and not replayed]
    assert len(fresh) == 1
    # Everyone else was told it is in flight, or got the stored response.
    assert all(
        status == 409 or (status == 201 and replayed)
        for status, replayed in statuses
        if (status, replayed) != (201, False)
    )
    assert IdempotencyRecord.objects.get().response_status == 201
