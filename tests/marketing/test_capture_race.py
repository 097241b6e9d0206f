"""The same person submits the form many times at once: one lead, every touch recorded
(PostgreSQL only: SQLite serialises writers, so there is no race there)."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from leads.models import Lead
from marketing.models import Touch
from tests.factories import CampaignFactory
from tests.support import postgres_only

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]
THREADS = 8


def test_concurrent_captures_of_one_address_make_one_lead():
    campaign = CampaignFactory()
    barrier = threading.Barrier(THREADS)
    statuses, crashes = [], []

    def capture(n):
        barrier.wait()
        try:
            response = APIClient().post(
                "/api/v1/capture/",
                {
                    "key": campaign.capture_key,
                    "email": f"Same@Example.{'COM' if n % 2 else 'com'}",
                    "first_name": f"Try {n}",
                    "consent": n == 3,
                },
            )
            statuses.append(response.status_code)
        except Exception as exc:  # a thread's exception is otherwise lost
            crashes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=capture, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert crashes == [] and statuses == [201] * THREADS
    lead = Lead.objects.get()
    assert (lead.email, lead.source_campaign_id, lead.marketing_consent) == (
        "same@example.com",
        campaign.pk,
        True,
    )
    assert Touch.objects.filter(lead=lead, kind="form_submit").count() == THREADS
    assert lead.score == 10 * THREADS
