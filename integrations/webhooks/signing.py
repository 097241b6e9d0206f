"""Signatures on webhook requests, in the Standard Webhooks format (standardwebhooks.com).

Every request carries `webhook-id` (the event id, the same on every retry and replay),
`webhook-timestamp` (unix seconds of this try) and `webhook-signature`: `v1,<base64>`
where the base64 is HMAC-SHA256, keyed with the endpoint's secret, over
`<id>.<timestamp>.<raw body>`. During a secret roll there is one `v1,...` per valid
secret, separated by spaces. Secrets are `whsec_` + base64 of 32 random bytes, so
receivers verify with the published `standardwebhooks` libraries (docs/webhooks.md);
Funnel signs with the same library.
"""

import base64
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime

from standardwebhooks import Webhook

ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
# Funnel's own additions, not part of the standard.
EVENT_TYPE_HEADER = "Funnel-Event-Type"
ATTEMPT_HEADER = "Funnel-Delivery-Attempt"
# The receipt check (see integrations.webhooks.delivery): a receiver that already has the
# event answers a signed HEAD with this header set to the event id.
RECEIVED_HEADER = "Funnel-Event-Received"
SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32


def secret_new() -> str:
    # Standard base64 (not the URL-safe alphabet): the libraries decode with b64decode,
    # which would silently drop "-" and "_" and verify against other key bytes.
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def signed_headers(
    *, secrets: Iterable[str], msg_id: str, body: bytes, at: datetime | None = None
) -> dict[str, str]:
    """The three Standard Webhooks headers for `body` (bytes exactly as sent)."""
    at = at or datetime.now(UTC)
    timestamp = str(int(at.timestamp()))
    signatures = [
        Webhook(secret).sign(msg_id=msg_id, timestamp=at, data=body) for secret in secrets
    ]
    return {
        ID_HEADER: msg_id,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: " ".join(signatures),
    }
