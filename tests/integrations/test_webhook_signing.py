"""Signatures: Funnel's signer against the receiver example printed in docs/webhooks.md,
run against real signed deliveries received over HTTP."""

import re
import time
from pathlib import Path

import pytest

from funnel.services import lead_transition
from funnel.stages import Cause
from integrations.webhooks.signing import signature_compute, signature_header, signature_verify
from tests.factories import LeadFactory
from tests.integrations.webhook_factories import WebhookEndpointFactory, dispatch_all
from tests.integrations.webhook_receiver import Receiver

DOCS = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


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
    return namespace["verify_funnel_signature"]


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    with Receiver() as running:
        yield running


def test_the_documented_example_verifies_a_real_delivery(db, receiver):
    verify = docs_example()
    endpoint = WebhookEndpointFactory(url=receiver.url)
    lead = LeadFactory()
    lead_transition(lead_id=lead.pk, to_stage="prospect", cause=Cause.MANUAL)

    dispatch_all()

    (receipt,) = receiver.wait_for(1)
    header = receipt.headers["funnel-signature"]
    assert re.fullmatch(r"t=\d+,v1=[0-9a-f]{64}", header)
    assert verify(endpoint.secret, receipt.body, header)
    # The raw bytes are what is signed: any change to them, or another secret, fails.
    assert not verify(endpoint.secret, receipt.body + b" ", header)
    assert not verify("whsec_someone-else", receipt.body, header)


def test_the_documented_example_refuses_stale_timestamps(db, receiver):
    verify = docs_example()
    endpoint = WebhookEndpointFactory(url=receiver.url)
    lead_transition(lead_id=LeadFactory().pk, to_stage="prospect", cause=Cause.MANUAL)
    dispatch_all()
    (receipt,) = receiver.wait_for(1)
    header = receipt.headers["funnel-signature"]
    signed_at = int(header.split(",")[0][2:])

    assert verify(endpoint.secret, receipt.body, header, now=signed_at + 299)
    assert not verify(endpoint.secret, receipt.body, header, now=signed_at + 301)
    assert not verify(endpoint.secret, receipt.body, header, now=signed_at - 301)


def test_a_rolled_secret_signs_with_both_secrets_during_the_grace_period(db, receiver):
    from integrations.webhooks.services import webhook_endpoint_roll_secret

    verify = docs_example()
    endpoint = WebhookEndpointFactory(url=receiver.url)
    old_secret = endpoint.secret
    webhook_endpoint_roll_secret(endpoint=endpoint)
    lead_transition(lead_id=LeadFactory().pk, to_stage="prospect", cause=Cause.MANUAL)
    dispatch_all()
    (receipt,) = receiver.wait_for(1)
    header = receipt.headers["funnel-signature"]

    assert header.count("v1=") == 2
    assert endpoint.secret != old_secret
    assert verify(endpoint.secret, receipt.body, header)
    assert verify(old_secret, receipt.body, header)


def test_signer_and_verifier_agree_on_the_message_format():
    body = b'{"id":"x"}'
    header = signature_header(secrets=["whsec_a"], body=body, timestamp=1_700_000_000)

    assert header == "t=1700000000,v1=" + signature_compute(
        secret="whsec_a", timestamp=1_700_000_000, body=body
    )
    assert signature_verify(secret="whsec_a", header=header, body=body, now=1_700_000_010)
    assert not signature_verify(secret="whsec_a", header="t=abc,v1=00", body=body)
    assert not signature_verify(
        secret="whsec_a", header=header, body=body, now=time.time()
    )  # years later: stale
