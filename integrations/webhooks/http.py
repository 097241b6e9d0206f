"""One HTTP exchange with a webhook receiver, over urllib3.

The connection goes to the address `webhooks_url_safety` vetted (never a second DNS
lookup), with the URL's host in the Host header and, for https, in SNI and the
certificate check. No redirects (a 3xx could point anywhere), no retries here (the
delivery schedule retries), connect and read timeouts, and only the first bytes of the
response are read.
"""

import time
from dataclasses import dataclass, field

import urllib3
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from integrations.webhooks.url_safety import WebhookTarget

EXCERPT_BYTES = 1000
USER_AGENT = "Funnel-Webhooks/1.0"


class NotSent(Exception):
    """The request never left: the receiver cannot have it (safe to send again)."""


class OutcomeUnknown(Exception):
    """The request may have reached the receiver, but no complete answer came back."""


@dataclass(frozen=True)
class HttpResult:
    status: int
    excerpt: str
    headers: dict[str, str] = field(default_factory=dict)


def http_send(
    *,
    target: WebhookTarget,
    method: str,
    headers: dict[str, str],
    body: bytes | None,
    connect_timeout: float,
    read_timeout: float,
) -> HttpResult:
    timeout = urllib3.Timeout(connect=connect_timeout, read=read_timeout)
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            target.address,
            target.port,
            timeout=timeout,
            retries=False,
            maxsize=1,
            server_hostname=target.hostname,
            assert_hostname=target.hostname,
            cert_reqs="CERT_REQUIRED",
        )
    else:
        pool = urllib3.HTTPConnectionPool(
            target.address, target.port, timeout=timeout, retries=False, maxsize=1
        )
    request_headers = {
        "User-Agent": USER_AGENT,
        **headers,
        "Host": target.host_header,
        "Connection": "close",
    }
    # The excerpt must not keep a worker busy: a receiver dripping bytes is cut off.
    deadline = time.monotonic() + connect_timeout + 2 * read_timeout
    try:
        response = pool.urlopen(
            method,
            target.path,
            body=body,
            headers=request_headers,
            retries=False,
            redirect=False,
            assert_same_host=False,
            preload_content=False,
        )
    except (ConnectTimeoutError, NewConnectionError) as exc:
        pool.close()
        raise NotSent(_describe(exc)) from None
    except urllib3.exceptions.HTTPError as exc:
        # Read timeouts, resets, TLS errors: some may come before the request was
        # written, but assuming "unknown" is never lossy (it only adds a receipt check).
        pool.close()
        raise OutcomeUnknown(_describe(exc)) from None
    try:
        excerpt = _read_excerpt(response, deadline=deadline) if method != "HEAD" else b""
    except urllib3.exceptions.HTTPError:
        excerpt = b""
    finally:
        response.close()
        pool.close()
    return HttpResult(
        status=response.status,
        excerpt=excerpt.decode("utf-8", errors="replace"),
        headers={name.lower(): value for name, value in response.headers.items()},
    )


def _read_excerpt(response, *, deadline: float) -> bytes:
    chunks, size = [], 0
    while size < EXCERPT_BYTES and time.monotonic() < deadline:
        chunk = response.read1(EXCERPT_BYTES - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _describe(exc: Exception) -> str:
    reason = getattr(exc, "reason", None) or exc
    text = str(reason)
    # urllib3 prefixes messages with object reprs that tell a manager nothing.
    if ": " in text and text.startswith("<"):
        text = text.split(": ", 1)[1]
    return f"{type(exc).__name__}: {text}"[:500]
