"""Signatures on webhook requests.

`Funnel-Signature: t=<unix seconds>,v1=<hex>` where hex is HMAC-SHA256, keyed with the
endpoint's secret, over `<t>.<raw body>`. Signing the timestamp with the body lets a
receiver refuse stale requests (replays) without trusting an unsigned header. During a
secret roll there is one `v1=` per valid secret. docs/webhooks.md shows the receiver side.
"""

import hashlib
import hmac
import time
from collections.abc import Iterable

SIGNATURE_HEADER = "Funnel-Signature"
EVENT_ID_HEADER = "Funnel-Event-Id"
EVENT_TYPE_HEADER = "Funnel-Event-Type"
ATTEMPT_HEADER = "Funnel-Delivery-Attempt"
# The receipt check (see integrations.webhooks.delivery): a receiver that already has the
# event answers a signed HEAD with this header set to the event id.
RECEIVED_HEADER = "Funnel-Event-Received"
DEFAULT_TOLERANCE_SECONDS = 300


def signature_compute(*, secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(*, secrets: Iterable[str], body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    signatures = [
        f"v1={signature_compute(secret=secret, timestamp=timestamp, body=body)}"
        for secret in secrets
    ]
    return ",".join([f"t={timestamp}", *signatures])


def signature_verify(
    *,
    secret: str,
    header: str,
    body: bytes,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """True if `header` carries a v1 signature of `body` by `secret` made within
    `tolerance` seconds of `now`. Funnel's own tests use it; receivers use the example
    in docs/webhooks.md (the same algorithm)."""
    timestamp, signatures = None, []
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            signatures.append(value)
    if timestamp is None or not signatures:
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature_compute(secret=secret, timestamp=timestamp, body=body)
    return any(hmac.compare_digest(expected, candidate) for candidate in signatures)
