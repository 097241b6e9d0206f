"""The webhooks API: managers (and manager-level API keys) only; CRUD with the secret
shown once; the delivery log and replays; bad input is a 400, never a 500."""

import pytest
from django.utils import timezone

from funnel.services import lead_transition
from funnel.stages import Cause
from integrations.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.api.clients import token_client
from tests.factories import LeadFactory
from tests.integrations.webhook_factories import WebhookEndpointFactory

LIST = "/api/v1/webhooks/"


def detail(endpoint) -> str:
    return f"{LIST}{endpoint.pk}/"


@pytest.fixture
def api(manager):
    return token_client(manager)


@pytest.fixture
def public_dns(monkeypatch):
    import socket

    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host == "hooks.example.com":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_create_returns_the_secret_once(api, public_dns):
    response = api.post(
        LIST,
        {"url": "https://hooks.example.com/funnel", "events": ["lead.stage_changed"]},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    endpoint = WebhookEndpoint.objects.get()
    assert body["secret"] == endpoint.secret
    assert body["events"] == ["lead.stage_changed"]
    assert body["is_active"] is True
    read = api.get(detail(endpoint)).json()
    assert "secret" not in read
    assert read["secret_hint"] == endpoint.secret[:10] + "…"


@pytest.mark.parametrize(
    "payload",
    [
        {"url": "http://169.254.169.254/latest", "events": ["lead.created"]},
        {"url": "http://localhost/x", "events": ["lead.created"]},
        {"url": "https://hooks.example.com/x", "events": []},
        {"url": "https://hooks.example.com/x", "events": ["lead.exploded"]},
        {"url": "https://hooks.example.com/x", "events": "lead.created"},
        {"url": "https://hooks.example.com/x", "events": [["lead.created"]]},
        {"url": "https://hooks.example.com/x" + "a" * 3000, "events": ["lead.created"]},
        {"url": "https://hooks.example.com/\x00", "events": ["lead.created"]},
        {"url": 12, "events": ["lead.created"]},
        {"url": "https://hooks.example.com/x", "events": ["lead.created"], "description": "\x00"},
        {"url": "https://hooks.example.com/x", "events": ["lead.created"], "is_active": "maybe"},
        ["not", "an", "object"],
    ],
)
def test_bad_input_is_a_400_and_writes_nothing(api, public_dns, payload):
    response = api.post(LIST, payload, format="json")

    assert response.status_code == 400, response.content
    assert not WebhookEndpoint.objects.exists()


def test_update_and_delete(api, public_dns):
    endpoint = WebhookEndpointFactory()
    secret = endpoint.secret

    response = api.patch(
        detail(endpoint), {"is_active": False, "secret": "whsec_mine"}, format="json"
    )
    assert response.status_code == 200
    endpoint.refresh_from_db()
    assert endpoint.is_active is False
    assert endpoint.secret == secret  # not writable

    assert (
        api.patch(detail(endpoint), {"url": "http://10.0.0.1/"}, format="json").status_code == 400
    )
    assert api.delete(detail(endpoint)).status_code == 204
    assert not WebhookEndpoint.objects.exists()


def test_roll_secret_returns_the_new_secret(api):
    endpoint = WebhookEndpointFactory()
    old = endpoint.secret

    response = api.post(f"{detail(endpoint)}roll-secret/")

    endpoint.refresh_from_db()
    assert response.status_code == 200
    assert response.json()["secret"] == endpoint.secret != old


def test_the_delivery_log_pages_filters_and_replays(api):
    endpoint = WebhookEndpointFactory()
    for _ in range(3):
        lead_transition(lead_id=LeadFactory().pk, to_stage="prospect", cause=Cause.MANUAL)
    oldest = WebhookDelivery.objects.order_by("id").first()
    WebhookDelivery.objects.filter(pk=oldest.pk).update(
        status="dead", attempts=10, completed_at=timezone.now(), last_error="HTTP 500"
    )

    page = api.get(f"{detail(endpoint)}deliveries/", {"page_size": 2}).json()
    assert len(page["results"]) == 2 and page["next"]
    dead = api.get(f"{detail(endpoint)}deliveries/", {"status": "dead"}).json()["results"]
    assert [d["id"] for d in dead] == [oldest.pk]
    assert dead[0]["event_id"] == str(oldest.event.uid)
    assert api.get(f"{detail(endpoint)}deliveries/", {"status": "nope"}).status_code == 400

    one = api.get(f"{detail(endpoint)}deliveries/{oldest.pk}/").json()
    assert one["data"]["to_stage"] == "prospect"
    assert one["attempt_log"] == []

    replay = api.post(f"{detail(endpoint)}deliveries/{oldest.pk}/replay/")
    assert replay.status_code == 202
    assert replay.json()["replay_of"] == oldest.pk
    assert replay.json()["event_id"] == str(oldest.event.uid)
    open_one = replay.json()["id"]
    assert api.post(f"{detail(endpoint)}deliveries/{open_one}/replay/").status_code == 400

    other = WebhookEndpointFactory()
    assert api.get(f"{detail(other)}deliveries/{oldest.pk}/").status_code == 404
    assert api.get(f"{LIST}999999/deliveries/").status_code == 404


@pytest.mark.parametrize("role", ["marketer", "rep", "other_rep"])
def test_other_roles_get_403_everywhere(db, request, role):
    endpoint = WebhookEndpointFactory()
    client = token_client(request.getfixturevalue(role))
    calls = [
        ("get", LIST),
        ("post", LIST),
        ("get", detail(endpoint)),
        ("patch", detail(endpoint)),
        ("delete", detail(endpoint)),
        ("post", f"{detail(endpoint)}roll-secret/"),
        ("get", f"{detail(endpoint)}deliveries/"),
        ("get", f"{detail(endpoint)}deliveries/1/"),
        ("post", f"{detail(endpoint)}deliveries/1/replay/"),
    ]
    for method, url in calls:
        response = getattr(client, method)(url, {}, format="json")
        assert response.status_code == 403, (method, url)
        assert endpoint.secret not in response.content.decode()
    assert WebhookEndpoint.objects.get().secret == endpoint.secret


def test_anonymous_gets_401(client, db):
    from rest_framework.test import APIClient

    assert APIClient().get(LIST).status_code == 401


@pytest.mark.parametrize("n", [1, 8])
def test_list_is_a_constant_number_of_queries(api, n, django_assert_num_queries):
    for _ in range(n):
        WebhookEndpointFactory()
    # token + user, groups (role), endpoints with backlog and latest delivery.
    with django_assert_num_queries(3):
        response = api.get(LIST)
    assert len(response.json()["results"]) == n


@pytest.mark.parametrize("n", [2, 20])
def test_delivery_log_is_a_constant_number_of_queries(api, n, django_assert_num_queries):
    endpoint = WebhookEndpointFactory()
    for _ in range(n):
        lead_transition(lead_id=LeadFactory().pk, to_stage="prospect", cause=Cause.MANUAL)

    # token + user, groups, the endpoint, a page of deliveries with their events.
    with django_assert_num_queries(4):
        response = api.get(f"{detail(endpoint)}deliveries/")
    assert len(response.json()["results"]) == n


def test_ids_beyond_a_bigint_are_404_not_500(api, client, manager):
    huge = "44179086402905733200"
    assert api.get(f"{LIST}{huge}/").status_code == 404
    assert api.post(f"{LIST}1/deliveries/{huge}/replay/").status_code == 404
    client.force_login(manager)
    assert client.get(f"/integrations/webhooks/{huge}/").status_code == 404
    assert client.get(f"/integrations/webhooks/1/deliveries/{huge}/").status_code == 404
