"""Signed tokens in the links a message carries: unsubscribe, click redirect, open pixel.

Each token names the message row (and for a click the target URL) and is signed with the
site's SECRET_KEY under its own salt, so a token for one purpose is useless for another
and a changed URL fails the check. Unsubscribe tokens never expire (RFC 8058 asks that the
link keeps working); click tokens neither: an old email's link must still lead somewhere.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

UNSUBSCRIBE_SALT = "mail.unsubscribe"
CLICK_SALT = "mail.click"
OPEN_SALT = "mail.open"


def _sign(value, salt: str) -> str:
    return signing.dumps(value, salt=salt, compress=True)


def read(token: str, salt: str):
    """The signed value, or None for a forged, truncated or mangled token."""
    try:
        return signing.loads(token, salt=salt)
    except (signing.BadSignature, ValueError, TypeError, UnicodeDecodeError):
        return None


def absolute(path: str) -> str:
    return settings.MAIL_PUBLIC_BASE_URL.rstrip("/") + path


def unsubscribe_url(message_pk: int) -> str:
    return absolute(reverse("mail:unsubscribe", args=[_sign(message_pk, UNSUBSCRIBE_SALT)]))


def click_url(message_pk: int, url: str) -> str:
    return absolute(reverse("mail:click", args=[_sign([message_pk, url], CLICK_SALT)]))


def open_url(message_pk: int) -> str:
    return absolute(reverse("mail:open", args=[_sign(message_pk, OPEN_SALT)]))
