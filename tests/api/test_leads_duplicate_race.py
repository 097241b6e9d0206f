"""Many requests creating the same address at once: one 201, the rest a 400 on email."""

import threading

import pytest
from django.db import connection

from leads.models import Lead
from tests.api.clients import token_client
from tests.factories import MarketerFactory
from tests.support import postgres_only

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]

THREADS = 8


def test_concurrent_creates_of_one_email_make_one_lead():
    marketer = MarketerFactory()
    barrier = threading.Barrier(THREADS)
    statuses, bodies, crashes = [], [], []

    def create(n):
        client = token_client(marketer)
        barrier.wait()
        try:
            response = client.post(
                "/api/v1/leads/", {"email": f"Same@Example.{'COM' if n % 2 else 'com'}"}
            )
            statuses.append(response.status_code)
            bodies.append(response.json())
        except Exception as exc:  # surfaced below: a thread's exception is otherwise lost
            crashes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert crashes == []
    assert sorted(statuses) == [201] + [400] * (THREADS - 1)
    errors = [body for body in bodies if "id" not in body]
    assert all(
        body == {"email": ["A lead with this email address already exists."]} for body in errors
    )
    assert list(Lead.objects.values_list("email", flat=True)) == ["same@example.com"]
