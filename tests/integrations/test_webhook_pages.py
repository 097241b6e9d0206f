"""Webhook pages: managers only; the secret is shown once; the delivery log pages and
filters; the replay button; a constant number of queries per page."""

import pytest
from django.urls import reverse
from django.utils import timezone

from funnel.services import lead_transition
from funnel.stages import Cause
from integrations.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.factories import LeadFactory
from tests.integrations.webhook_factories import WebhookEndpointFactory


def deliveries_for(endpoint, n, status="delivered"):
    for _ in range(n):
        lead_transition(lead_id=LeadFactory().pk, to_stage="prospect", cause=Cause.MANUAL)
    WebhookDelivery.objects.filter(endpoint=endpoint).update(
        status=status, attempts=1, completed_at=timezone.now(), last_status_code=200
    )


@pytest.fixture
def endpoint(db):
    return WebhookEndpointFactory()


@pytest.fixture
def pages(endpoint):
    delivery_url = "integrations:webhook_delivery"
    return {
        "list": ("get", reverse("integrations:webhooks")),
        "create": ("get", reverse("integrations:webhook_create")),
        "detail": ("get", reverse("integrations:webhook_detail", args=[endpoint.pk])),
        "edit": ("get", reverse("integrations:webhook_edit", args=[endpoint.pk])),
        "roll": ("post", reverse("integrations:webhook_roll_secret", args=[endpoint.pk])),
        "delete": ("post", reverse("integrations:webhook_delete", args=[endpoint.pk])),
        "delivery": ("get", reverse(delivery_url, args=[endpoint.pk, 1])),
        "replay": ("post", reverse("integrations:webhook_delivery_replay", args=[endpoint.pk, 1])),
        "test": ("post", reverse("integrations:webhook_send_test", args=[endpoint.pk])),
    }


@pytest.mark.parametrize("role", ["marketer", "rep"])
def test_other_roles_are_refused_every_page(client, pages, role, request, endpoint):
    client.force_login(request.getfixturevalue(role))
    secret = endpoint.secret

    for method, url in pages.values():
        response = getattr(client, method)(url)
        assert response.status_code == 403, url
        assert secret not in response.content.decode()

    endpoint.refresh_from_db()
    assert endpoint.secret == secret  # the roll did not happen
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


def test_anonymous_visitors_are_sent_to_log_in(client, pages):
    for method, url in pages.values():
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_a_manager_adds_an_endpoint_and_sees_its_secret_once(client, manager, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    client.force_login(manager)

    response = client.post(
        reverse("integrations:webhook_create"),
        {
            "url": "http://127.0.0.1:9000/hooks",
            "description": "Warehouse",
            "events": ["lead.created", "deal.won"],
            "is_active": "on",
        },
    )

    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 200
    assert endpoint.secret in response.content.decode()
    assert endpoint.events == ["deal.won", "lead.created"]
    assert endpoint.created_by == manager
    assert response["Cache-Control"].startswith("max-age=0")
    detail = client.get(reverse("integrations:webhook_detail", args=[endpoint.pk]))
    assert detail.status_code == 200
    assert endpoint.secret not in detail.content.decode()
    assert endpoint.secret[:10] in detail.content.decode()


def test_a_private_url_is_refused_with_a_message(client, manager):
    client.force_login(manager)

    response = client.post(
        reverse("integrations:webhook_create"),
        {"url": "http://10.0.0.8/hooks", "events": ["lead.created"]},
    )

    assert response.status_code == 400
    assert "a private address" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_a_manager_edits_rolls_and_deletes(client, manager, endpoint):
    client.force_login(manager)
    old_secret = endpoint.secret

    response = client.post(
        reverse("integrations:webhook_edit", args=[endpoint.pk]),
        {"url": endpoint.url, "description": "New name", "events": ["deal.lost"]},
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.description, endpoint.events, endpoint.is_active) == (
        "New name",
        ["deal.lost"],
        False,
    )

    response = client.post(reverse("integrations:webhook_roll_secret", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.secret != old_secret
    assert endpoint.secret in response.content.decode()
    assert endpoint.previous_secret == old_secret

    response = client.post(reverse("integrations:webhook_delete", args=[endpoint.pk]))
    assert response.status_code == 302
    assert not WebhookEndpoint.objects.exists()


def test_the_log_filters_by_status(client, manager, endpoint):
    deliveries_for(endpoint, 3, status="delivered")
    dead = WebhookDelivery.objects.order_by("-id").first()
    WebhookDelivery.objects.filter(pk=dead.pk).update(status="dead")
    client.force_login(manager)
    url = reverse("integrations:webhook_detail", args=[endpoint.pk])

    everything = client.get(url).content.decode()
    only_dead = client.get(
        url, {"status": "dead"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="delivery-log"
    )

    assert everything.count('class="delivery"') == 3
    html = only_dead.content.decode()
    assert html.count('class="delivery"') == 1
    assert f'id="delivery-{dead.pk}"' in html
    assert "<html" not in html  # only the log part


def test_the_replay_button_queues_a_new_delivery_and_swaps_the_row(client, manager, endpoint):
    deliveries_for(endpoint, 1, status="dead")
    dead = WebhookDelivery.objects.get()
    client.force_login(manager)

    response = client.post(
        reverse("integrations:webhook_delivery_replay", args=[endpoint.pk, dead.pk]),
        HTTP_HX_REQUEST="true",
    )

    replay = WebhookDelivery.objects.exclude(pk=dead.pk).get()
    html = response.content.decode()
    assert response.status_code == 200
    assert (replay.status, replay.replay_of_id, replay.event_id) == (
        "pending",
        dead.pk,
        dead.event_id,
    )
    assert html.index(f'id="delivery-{replay.pk}"') < html.index(f'id="delivery-{dead.pk}"')
    assert f"Replay of #{dead.pk}" in html
    assert "queued" in html  # the flash message, out of band

    again = client.post(
        reverse("integrations:webhook_delivery_replay", args=[endpoint.pk, replay.pk]),
        HTTP_HX_REQUEST="true",
    )
    assert again.status_code == 409
    assert WebhookDelivery.objects.count() == 2


def test_the_attempt_log_opens_in_place(client, manager, endpoint, settings):
    from tests.integrations.webhook_factories import dispatch_all
    from tests.integrations.webhook_receiver import Receiver

    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    with Receiver(status=502) as receiver:
        endpoint.url = receiver.url
        endpoint.save()
        lead_transition(lead_id=LeadFactory().pk, to_stage="prospect", cause=Cause.MANUAL)
        dispatch_all()
    delivery = WebhookDelivery.objects.get()
    client.force_login(manager)
    url = reverse("integrations:webhook_delivery", args=[endpoint.pk, delivery.pk])

    partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    page = client.get(url).content.decode()

    assert "HTTP 502" in partial and "<html" not in partial
    assert "HTTP 502" in page and "Payload data" in page


@pytest.mark.parametrize("n", [1, 6])
def test_the_endpoint_list_is_a_constant_number_of_queries(
    client, manager, n, django_assert_num_queries
):
    for _ in range(n):
        deliveries_for(WebhookEndpointFactory(), 2)
    client.force_login(manager)
    client.get(reverse("integrations:webhooks"))  # warm the session

    # session, user, user's groups (role), endpoints with backlog and latest delivery.
    with django_assert_num_queries(4):
        response = client.get(reverse("integrations:webhooks"))
    assert response.content.decode().count("webhook-url") == n


@pytest.mark.parametrize("n", [2, 30])
def test_the_delivery_log_is_a_constant_number_of_queries(
    client, manager, endpoint, n, django_assert_num_queries
):
    deliveries_for(endpoint, n)
    client.force_login(manager)
    url = reverse("integrations:webhook_detail", args=[endpoint.pk])
    client.get(url)

    # session, user, groups, endpoint, one page of deliveries with their events.
    with django_assert_num_queries(5):
        response = client.get(url)
    assert response.content.decode().count('class="delivery"') == min(n, 25)
