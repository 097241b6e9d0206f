"""Webhook URLs that resolve to private, loopback, link-local, multicast or reserved
addresses are refused at registration and again at delivery (DNS rebinding)."""

import socket

import pytest
from django.core.exceptions import ValidationError

from funnel.services import lead_transition
from funnel.stages import Cause
from integrations.webhooks.models import WebhookAttempt, WebhookEndpoint
from integrations.webhooks.services import webhook_endpoint_create, webhook_endpoint_update
from tests.factories import LeadFactory
from tests.integrations.webhook_factories import WebhookEndpointFactory, dispatch_all
from tests.integrations.webhook_receiver import Receiver

EVENTS = ["lead.stage_changed"]


@pytest.fixture
def fake_dns(monkeypatch):
    """Names under .test resolve to what the test says (as a DNS server an attacker
    controls would); everything else resolves normally."""
    answers: dict[str, str] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if isinstance(host, str) and host in answers:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost:8000/hook",
        "http://10.1.2.3/hook",
        "http://172.16.0.9/hook",
        "http://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://100.64.0.1/hook",  # carrier-grade NAT
        "http://0.0.0.0/hook",
        "http://224.0.0.1/hook",  # multicast
        "http://240.0.0.1/hook",  # reserved
        "http://[::1]/hook",
        "http://[fe80::1]/hook",
        "http://[fd00::1]/hook",
        "http://[::ffff:10.0.0.1]/hook",
        "http://[2002:7f00:1::]/hook",  # 6to4 wrapping 127.0.0.1
        "http://[ff02::1]/hook",
    ],
)
def test_registration_refuses_non_public_addresses(db, url):
    with pytest.raises(ValidationError) as refused:
        webhook_endpoint_create(url=url, events=EVENTS)

    assert "url" in refused.value.message_dict
    assert WebhookEndpoint.objects.count() == 0


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://93.184.216.34/hook", "Only http:// and https://"),
        ("http://user:pw@93.184.216.34/hook", "user names and passwords"),
        ("http:///hook", "no host"),
        ("http://93.184.216.34:99999/hook", "valid URL"),
        ("http://does-not-exist.invalid/hook", "does not resolve"),
        ("http://93.184.216.34/a b", "spaces"),
    ],
)
def test_registration_refuses_malformed_urls(db, url, reason):
    with pytest.raises(ValidationError) as refused:
        webhook_endpoint_create(url=url, events=EVENTS)

    assert reason in " ".join(refused.value.message_dict["url"])


def test_a_name_with_any_private_address_is_refused(db, fake_dns, monkeypatch):
    real = socket.getaddrinfo

    def two_addresses(host, port, *args, **kwargs):
        if host == "split.test":
            return [
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", port)),
            ]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", two_addresses)

    with pytest.raises(ValidationError):
        webhook_endpoint_create(url="https://split.test/hook", events=EVENTS)


def test_public_addresses_are_accepted(db, fake_dns):
    fake_dns["hooks.test"] = "93.184.216.34"

    endpoint = webhook_endpoint_create(url="https://hooks.test/funnel?x=1", events=EVENTS)

    assert endpoint.url == "https://hooks.test/funnel?x=1"


def test_an_update_to_a_private_url_is_refused(db, fake_dns):
    fake_dns["hooks.test"] = "93.184.216.34"
    endpoint = webhook_endpoint_create(url="https://hooks.test/funnel", events=EVENTS)

    with pytest.raises(ValidationError):
        webhook_endpoint_update(endpoint=endpoint, data={"url": "http://10.0.0.1/"})
    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.test/funnel"


def test_the_setting_allows_private_addresses(db, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True

    endpoint = webhook_endpoint_create(url="http://127.0.0.1:8000/hook", events=EVENTS)

    assert endpoint.pk


def test_delivery_refuses_a_name_rebound_to_a_private_address(db, settings, fake_dns):
    with Receiver() as receiver:
        port = receiver.server.server_address[1]
        # Registered while the name pointed at a public address...
        fake_dns["rebind.test"] = "93.184.216.34"
        endpoint = webhook_endpoint_create(url=f"http://rebind.test:{port}/hook", events=EVENTS)
        # ...then re-pointed at the machine itself, where the receiver listens.
        fake_dns["rebind.test"] = "127.0.0.1"
        lead_transition(lead_id=LeadFactory().pk, to_stage="prospect", cause=Cause.MANUAL)

        dispatch_all()

        assert receiver.posts() == []
        attempt = WebhookAttempt.objects.get(delivery__endpoint=endpoint)
        assert attempt.outcome == "failed"
        assert "127.0.0.1, a loopback address" in attempt.error

        # The same delivery goes through once private addresses are allowed: proof the
        # refusal, not the set-up, stopped it.
        settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
        from django.utils import timezone

        from integrations.webhooks.models import WebhookDelivery

        WebhookDelivery.objects.update(next_attempt_at=timezone.now())
        dispatch_all()
        assert len(receiver.posts()) == 1
        assert receiver.posts()[0].headers["host"] == f"rebind.test:{port}"


def test_a_stored_private_url_is_refused_at_delivery(db):
    with Receiver() as receiver:
        WebhookEndpointFactory(url=receiver.url)  # straight into the table, unchecked
        lead_transition(lead_id=LeadFactory().pk, to_stage="prospect", cause=Cause.MANUAL)

        dispatch_all()

        assert receiver.posts() == []
        assert "loopback" in WebhookAttempt.objects.get().error
