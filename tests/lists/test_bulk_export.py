"""Export from the bar: the ticked rows (or all matching) as the list's CSV."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def test_export_of_ticked_rows(bulk, login, manager):
    chosen = factories.LeadFactory(email="chosen@example.com")
    factories.LeadFactory(email="other@example.com")
    response = bulk(manager, action="export", leads=[chosen])
    assert response.status_code == 204
    url = response["HX-Redirect"]
    assert f"id={chosen.pk}" in url

    csv = b"".join(login(manager).get(url).streaming_content).decode()
    assert "chosen@example.com" in csv
    assert "other@example.com" not in csv


def test_export_ids_never_widen_the_scope(login, rep, other_rep):
    theirs = factories.LeadFactory(owner=other_rep, email="theirs@example.com")
    response = login(rep).get(reverse("marketing:leads-export") + f"?id={theirs.pk}")
    assert "theirs@example.com" not in b"".join(response.streaming_content).decode()


def test_bad_export_ids_are_a_400(login, manager):
    response = login(manager).get(reverse("marketing:leads-export") + "?id=x")
    assert response.status_code == 400
