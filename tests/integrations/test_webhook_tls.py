"""https deliveries: Funnel connects to the vetted address but verifies the certificate
against the URL's host name (SNI and hostname check), with the system's trust store."""

import shutil
import ssl
import subprocess

import pytest

from funnel.services import lead_transition
from funnel.stages import Cause
from integrations.webhooks.models import WebhookAttempt, WebhookDelivery
from tests.factories import LeadFactory
from tests.integrations.webhook_factories import WebhookEndpointFactory, dispatch_all
from tests.integrations.webhook_receiver import Receiver

pytestmark = pytest.mark.skipif(not shutil.which("openssl"), reason="needs the openssl tool")


@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate for the name `localhost`."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def https_receiver(certificate, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    with Receiver(tls=context) as receiver:
        yield receiver


def https_url(receiver, host="localhost"):
    return f"https://{host}:{receiver.server.server_address[1]}/hooks/funnel"


def move_one():
    lead_transition(lead_id=LeadFactory().pk, to_stage="prospect", cause=Cause.MANUAL)


def test_an_untrusted_certificate_is_refused(db, https_receiver):
    WebhookEndpointFactory(url=https_url(https_receiver))
    move_one()

    dispatch_all()

    assert https_receiver.posts() == []
    attempt = WebhookAttempt.objects.get()
    assert attempt.outcome == "failed"
    assert "CERTIFICATE_VERIFY_FAILED" in attempt.error


def test_a_trusted_certificate_for_the_host_name_is_accepted(
    db, https_receiver, certificate, monkeypatch
):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # trust it, like a real CA
    WebhookEndpointFactory(url=https_url(https_receiver))
    move_one()

    dispatch_all()

    assert WebhookDelivery.objects.get().status == "delivered"
    (receipt,) = https_receiver.posts()
    assert receipt.headers["host"] == f"localhost:{https_receiver.server.server_address[1]}"


def test_a_certificate_for_another_name_is_refused(db, https_receiver, certificate, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    # Same server and address, but the URL names 127.0.0.1: not the certificate's name.
    WebhookEndpointFactory(url=https_url(https_receiver, host="127.0.0.1"))
    move_one()

    dispatch_all()

    assert https_receiver.posts() == []
    assert "127.0.0.1" in WebhookAttempt.objects.get().error
