"""Signatures in the Standard Webhooks format, checked with the published
`standardwebhooks` library (and the receiver example in docs/webhooks.md) against real
signed deliveries received over HTTP."""

import base64
import importlib
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from standardwebhooks import Webhook, WebhookVerificationError

from funnel.services import lead_transition
from funnel.stages import Cause
from integrations.webhooks.services import webhook_endpoint_roll_secret
from integrations.webhooks.signing import secret_new, signed_headers
from tests.factories import LeadFactory
from tests.integrations.webhook_factories import WebhookEndpointFactory, dispatch_all
from tests.integrations.webhook_receiver import Receiver

DOCS = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"
STANDARD_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")


def docs_example():
    text = DOCS.read_text()
    block = re.search(
        r"<!-- verify-example:start -->\s*```python\n(.*?)```\s*<!-- verify-example:end -->",
        text,
        re.S,
    )
    assert block, "docs/webhooks.md lost its verification example"
    namespace: dict = {}
    exec(compile(block.group(1), str(DOCS), "exec"), namespace)
    return namespace["verify_funnel_webhook"]


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    with Receiver() as running:
        yield running


def deliver_one(receiver):
    lead_transition(lead_id=LeadFactory().pk, to_stage="prospect", cause=Cause.MANUAL)
    dispatch_all()
    (receipt,) = receiver.wait_for(1)
    return receipt


def test_a_delivery_verifies_with_the_standardwebhooks_library(db, receiver):
    endpoint = WebhookEndpointFactory(url=receiver.url)
    receipt = deliver_one(receiver)

    payload = Webhook(endpoint.secret).verify(receipt.body, receipt.headers)

    assert payload["id"] == receipt.headers["webhook-id"]
    assert payload["type"] == "lead.stage_changed"
    assert re.fullmatch(r"v1,[A-Za-z0-9+/]{43}=", receipt.headers["webhook-signature"])
    # The raw bytes are what is signed: any change to them, or another secret, fails.
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(receipt.body + b" ", receipt.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret_new()).verify(receipt.body, receipt.headers)


def test_the_documented_example_verifies_a_real_delivery(db, receiver):
    verify = docs_example()
    endpoint = WebhookEndpointFactory(url=receiver.url)
    receipt = deliver_one(receiver)

    assert verify(endpoint.secret, receipt.body, receipt.headers)["id"] == receipt.event_id
    assert verify(endpoint.secret, receipt.body + b" ", receipt.headers) is None


def test_stale_or_future_timestamps_are_refused(db, receiver):
    endpoint = WebhookEndpointFactory(url=receiver.url)
    receipt = deliver_one(receiver)
    signed_at = datetime.fromtimestamp(int(receipt.headers["webhook-timestamp"]), UTC)
    webhook = Webhook(endpoint.secret)

    with time_machine.travel(signed_at + timedelta(seconds=299), tick=False):
        webhook.verify(receipt.body, receipt.headers)
    for offset in (301, -301):
        moment = signed_at + timedelta(seconds=offset)
        with time_machine.travel(moment, tick=False), pytest.raises(WebhookVerificationError):
            webhook.verify(receipt.body, receipt.headers)


def test_a_rolled_secret_signs_with_both_secrets_during_the_grace_period(db, receiver):
    endpoint = WebhookEndpointFactory(url=receiver.url)
    old_secret = endpoint.secret
    webhook_endpoint_roll_secret(endpoint=endpoint)
    receipt = deliver_one(receiver)

    assert receipt.headers["webhook-signature"].count("v1,") == 2
    assert endpoint.secret != old_secret
    Webhook(endpoint.secret).verify(receipt.body, receipt.headers)
    Webhook(old_secret).verify(receipt.body, receipt.headers)


def test_secrets_are_whsec_and_standard_base64_of_32_random_bytes():
    secret = secret_new()

    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret[6:], validate=True)) == 32
    assert secret_new() != secret


def test_signed_headers_match_the_library_for_a_pinned_time():
    secret, body = secret_new(), b'{"id":"x"}'
    at = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)

    headers = signed_headers(secrets=[secret], msg_id="msg_1", body=body, at=at)

    assert set(headers) == set(STANDARD_HEADERS)
    assert headers["webhook-timestamp"] == str(int(at.timestamp()))
    assert headers["webhook-signature"] == Webhook(secret).sign("msg_1", at, body)


def test_the_migration_keeps_the_key_bytes_of_earlier_secrets():
    migration = importlib.import_module(
        "integrations.migrations.0003_webhooks_dispatch_slot_standard_secrets"
    )
    old = "whsec_Zx3-_tJ9aQ"  # the earlier form: URL-safe text used as the key itself
    body, at = b"{}", datetime(2026, 12, 4, tzinfo=UTC)

    converted = migration._wrap(old)

    assert converted.startswith("whsec_")
    assert migration._unwrap(converted) == old
    assert Webhook(converted).sign("m", at, body) == Webhook(old.encode()).sign("m", at, body)
