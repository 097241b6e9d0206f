"""The browsable API (session login in a browser) renders every leads page."""

import pytest

from funnel.services import lead_transition
from funnel.stages import Cause
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "shows"),
    [
        ("leads/", "{email}"),
        ("leads/{id}/", "{email}"),
        ("leads/{id}/history/", "&quot;to_stage&quot;: &quot;prospect&quot;"),
        ("prospects/", "{email}"),
        ("prospects/{id}/", "{email}"),
        ("customers/", "&quot;results&quot;: []"),
    ],
)
def test_browsable_pages_render(client, marketer, path, shows):
    lead = LeadFactory(company="Acme")
    lead_transition(lead_id=lead.pk, to_stage="prospect", cause=Cause.API, actor=marketer)
    client.force_login(marketer)

    response = client.get(f"/api/v1/{path.format(id=lead.pk)}", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert shows.format(email=lead.email) in response.content.decode()


def test_session_writes_need_the_csrf_token(marketer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(marketer)

    response = client.post("/api/v1/leads/", {"email": "a@example.com"})

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
