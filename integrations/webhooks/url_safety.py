"""Which webhook URLs Funnel may call: the defence against server-side request forgery.

A manager's URL must not reach the database, the cache, a cloud metadata service or
anything else on the private network. The check runs at registration and again on every
delivery, against the addresses the host resolves to *then* (DNS can change after
registration: rebinding), and the delivery connects to the address that was checked
rather than resolving a second time. `WEBHOOKS_ALLOW_PRIVATE_URLS` lifts the address
check (local development, tests with a receiver on 127.0.0.1).
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

MAX_URL_LENGTH = 2000
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeWebhookURL(ValidationError):
    """The URL is malformed or points somewhere Funnel refuses to call."""


@dataclass(frozen=True)
class WebhookTarget:
    """A URL split for a connection to an already vetted address."""

    scheme: str
    hostname: str
    port: int
    path: str  # path and query, as sent in the request line
    address: str  # the vetted IP to connect to

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.hostname}]" if ":" in self.hostname else self.hostname
        return host if self.port == default else f"{host}:{self.port}"


def webhook_url_parse(url: str) -> tuple[str, str, int, str]:
    """(scheme, hostname, port, path) of an http(s) URL; raises UnsafeWebhookURL."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL_LENGTH:
        raise UnsafeWebhookURL(f"Enter a URL of at most {MAX_URL_LENGTH} characters.")
    if any(ord(char) < 33 or ord(char) == 127 for char in url):
        raise UnsafeWebhookURL("The URL may not contain spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeWebhookURL("Enter a valid URL.") from None
    if parts.scheme not in ("http", "https"):
        raise UnsafeWebhookURL("Only http:// and https:// URLs can receive webhooks.")
    if not parts.hostname:
        raise UnsafeWebhookURL("The URL has no host.")
    if parts.username is not None or parts.password is not None:
        # Credentials in a URL end up in logs; receivers verify the signature instead.
        raise UnsafeWebhookURL("Leave user names and passwords out of the URL.")
    if parts.fragment:
        raise UnsafeWebhookURL("The URL may not have a #fragment.")
    if port == 0:
        raise UnsafeWebhookURL("Port 0 is not a valid port.")
    port = port or (443 if parts.scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port, path


def address_refusal(address: IPAddress) -> str | None:
    """Why Funnel will not call `address`, or None if it is a public unicast address."""
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        return address_refusal(embedded)
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address.is_unspecified:
        return "unspecified"
    if address.is_reserved:
        return "reserved"
    if address.is_private:
        return "private"
    if not address.is_global:
        # Shared (carrier-grade NAT) space, benchmarking and documentation ranges, ...
        return "not publicly routable"
    return None


def webhook_url_resolve(url: str) -> WebhookTarget:
    """Resolve `url`'s host now and vet every address it has. Returns the target to
    connect to; raises UnsafeWebhookURL if any address is refused or none resolves."""
    scheme, hostname, port, path = webhook_url_parse(url)
    try:
        infos = socket.getaddrinfo(hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise UnsafeWebhookURL(f"The host {hostname} does not resolve.") from None
    addresses = []
    for info in infos:
        # Scope ids ("fe80::1%eth0") are link-local anyway; drop them before parsing.
        text = info[4][0].split("%", 1)[0]
        addresses.append(ipaddress.ip_address(text))
    if not addresses:
        raise UnsafeWebhookURL(f"The host {hostname} does not resolve.")
    if not settings.WEBHOOKS_ALLOW_PRIVATE_URLS:
        # Every address, not just the first: a host with one public and one internal
        # address would otherwise be a coin toss away from the internal network.
        for address in addresses:
            refusal = address_refusal(address)
            if refusal is not None:
                raise UnsafeWebhookURL(
                    f"{hostname} resolves to {address}, a {refusal} address; webhooks "
                    "only go to public addresses."
                )
    return WebhookTarget(
        scheme=scheme, hostname=hostname, port=port, path=path, address=str(addresses[0])
    )


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    # IPv6 forms that carry an IPv4 address a router would unwrap: ::ffff:a.b.c.d,
    # 6to4 (2002::/16) and Teredo's client.
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return None
