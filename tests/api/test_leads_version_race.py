"""Two PATCHes from the same version at the same moment: one is saved, the other is a 412
(the version is compared under the row lock). PostgreSQL only: SQLite serialises writers."""

import threading

import pytest
from django.db import connection

from tests.api.clients import token_client
from tests.factories import LeadFactory
from tests.support import postgres_only

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


def test_one_of_two_simultaneous_edits_wins(manager, marketer):
    lead = LeadFactory(company="Old", phone="1")
    url = f"/api/v1/leads/{lead.pk}/"
    clients = [token_client(manager), token_client(marketer)]
    etag = clients[0].get(url)["ETag"]
    start = threading.Barrier(2)
    statuses: list[int] = []

    def edit(client, body):
        try:
            start.wait()
            statuses.append(client.patch(url, body, format="json", HTTP_IF_MATCH=etag).status_code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=edit, args=(clients[0], {"company": "A"})),
        threading.Thread(target=edit, args=(clients[1], {"phone": "2"})),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200, 412]
    lead.refresh_from_db()
    assert (lead.company, lead.phone) in {("A", "1"), ("Old", "2")}
