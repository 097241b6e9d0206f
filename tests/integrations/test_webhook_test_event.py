""" "Send test event" on the endpoint page: a `webhook.test` event through the same
outbox, to that endpoint only, shown in its delivery log; and the notice that local
receivers are allowed (as in `make run`)."""

import pytest
from django.test import Client
from django.urls import reverse
from standardwebhooks import Webhook

from integrations.webhooks.models import WebhookDelivery, WebhookEvent
from tests.integrations.webhook_factories import WebhookEndpointFactory, dispatch_all
from tests.integrations.webhook_receiver import Receiver

NOTICE = "Local receivers allowed"


def send_test(client, endpoint):
    return client.post(reverse("integrations:webhook_send_test", args=[endpoint.pk]), follow=True)


def test_a_test_event_goes_to_that_endpoint_only_and_shows_in_its_log(client, manager, db):
    endpoint, other = WebhookEndpointFactory(), WebhookEndpointFactory()
    client.force_login(manager)

    response = send_test(client, endpoint)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse(
        "integrations:webhook_detail", args=[endpoint.pk]
    )
    delivery = WebhookDelivery.objects.select_related("event").get()
    assert (delivery.endpoint_id, delivery.event.type) == (endpoint.pk, "webhook.test")
    assert not WebhookDelivery.objects.filter(endpoint=other).exists()
    html = response.content.decode()
    assert "Test event queued" in html
    assert "webhook.test" in html  # the log row


def test_the_test_event_is_a_signed_standard_webhook(client, manager, db, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    with Receiver() as receiver:
        endpoint = WebhookEndpointFactory(url=receiver.url, events=["deal.won"])
        client.force_login(manager)
        send_test(client, endpoint)

        dispatch_all()

        (receipt,) = receiver.wait_for(1)
    payload = Webhook(endpoint.secret).verify(receipt.body, receipt.headers)
    assert payload["type"] == "webhook.test"
    assert payload["data"]["endpoint_id"] == endpoint.pk
    assert WebhookDelivery.objects.get().status == "delivered"


def test_an_inactive_endpoint_gets_no_test_event(client, manager, db):
    endpoint = WebhookEndpointFactory(is_active=False)
    client.force_login(manager)

    response = send_test(client, endpoint)

    assert "Activate the endpoint" in response.content.decode()
    assert WebhookEvent.objects.count() == 0


def test_sending_needs_a_post_with_a_csrf_token(manager, db):
    endpoint = WebhookEndpointFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    url = reverse("integrations:webhook_send_test", args=[endpoint.pk])

    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403
    assert WebhookEvent.objects.count() == 0


def test_the_api_sends_a_test_event_too(client, manager, rep, db):
    endpoint, inactive = WebhookEndpointFactory(), WebhookEndpointFactory(is_active=False)
    client.force_login(manager)

    response = client.post(f"/api/v1/webhooks/{endpoint.pk}/test-event/")
    refused = client.post(f"/api/v1/webhooks/{inactive.pk}/test-event/")
    client.force_login(rep)
    forbidden = client.post(f"/api/v1/webhooks/{endpoint.pk}/test-event/")

    assert response.status_code == 202
    assert (response.json()["event_type"], response.json()["status"]) == ("webhook.test", "pending")
    assert refused.status_code == 400
    assert forbidden.status_code == 403
    assert WebhookDelivery.objects.get().endpoint_id == endpoint.pk


def test_the_test_type_cannot_be_subscribed_to(client, manager, db):
    client.force_login(manager)

    response = client.post(
        "/api/v1/webhooks/",
        {"url": "https://hooks.example.com/x", "events": ["webhook.test"]},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "events" in response.json()


@pytest.mark.parametrize("allowed", [True, False])
def test_the_pages_say_when_local_receivers_are_allowed(client, manager, db, settings, allowed):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = allowed
    endpoint = WebhookEndpointFactory()
    client.force_login(manager)

    for url in (
        reverse("integrations:webhooks"),
        reverse("integrations:webhook_create"),
        reverse("integrations:webhook_detail", args=[endpoint.pk]),
    ):
        assert (NOTICE in client.get(url).content.decode()) is allowed, url
