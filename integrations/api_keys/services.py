"""API keys for integrations: create, revoke, authenticate, touch.

How a key maps to visibility: every key gets its own service user, a member of the
`managers` group (integrations read anything and act on every lead: docs/architecture.md)
and of the `integrations` group (which marks service users, e.g. to leave them out of
people pickers). The service user has no usable password and is inactive, so it can never
log in to the web UI or obtain a token; it only ever acts through its key. Because it is
a plain user, `leads.selectors.leads_visible_to(user)` and every other role-based queryset
work for keys unchanged, and stage history names the integration as the actor.

Scope: a read-only key authenticates only safe methods (GET, HEAD, OPTIONS); anything
else is refused with 403 by `integrations.authentication`, whatever the view's own
permission classes are.
"""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from rest_framework_api_key.crypto import KeyGenerator

from funnel.roles import MANAGERS
from integrations.models import ApiKey

INTEGRATIONS_GROUP = "integrations"
# last_used_at is a hint for people, not an audit log: one UPDATE a minute per key at most.
LAST_USED_RESOLUTION = timedelta(minutes=1)

_key_generator = KeyGenerator(prefix_length=8, secret_key_length=32)


def api_key_create(
    *, name: str, scope: str, created_by: AbstractBaseUser | None = None
) -> tuple[ApiKey, str]:
    """Create a key and its service user. Returns the key row and the raw key, which is
    shown once and never stored."""
    scope = ApiKey.Scope(scope)
    raw_key, prefix, hashed_key = _key_generator.generate()
    with transaction.atomic():
        user = get_user_model().objects.create(
            username=f"api-key-{prefix}",
            first_name=name[:150],
            last_name="(API key)",
            is_active=False,
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        groups = [
            Group.objects.get_or_create(name=group_name)[0]
            for group_name in (MANAGERS, INTEGRATIONS_GROUP)
        ]
        user.groups.add(*groups)
        api_key = ApiKey.objects.create(
            name=name,
            prefix=prefix,
            hashed_key=hashed_key,
            scope=scope,
            user=user,
            created_by=created_by if created_by is not None and created_by.pk else None,
        )
    return api_key, raw_key


def api_key_revoke(*, api_key_id: int, revoked_by: AbstractBaseUser | None = None) -> ApiKey:
    """Revoke a key for good. Revoking twice keeps the first revocation's time and author."""
    now = timezone.now()
    ApiKey.objects.filter(pk=api_key_id, revoked_at__isnull=True).update(
        revoked_at=now,
        revoked_by=revoked_by if revoked_by is not None and revoked_by.pk else None,
    )
    return ApiKey.objects.get(pk=api_key_id)


def api_key_authenticate(*, raw_key: str) -> ApiKey | None:
    """The active key matching `raw_key`, with its user, or None. One query."""
    raw_key = raw_key.strip()
    prefix, dot, secret = raw_key.partition(".")
    # Keys are ASCII letters and digits; anything else (NUL bytes, unicode) is not one and
    # never reaches the database.
    if not dot or len(prefix) > 16 or len(raw_key) > 200:
        return None
    if not (prefix.isascii() and prefix.isalnum() and secret.isascii() and secret.isalnum()):
        return None
    api_key = (
        ApiKey.objects.select_related("user").filter(prefix=prefix, revoked_at__isnull=True).first()
    )
    # The hasher compares in constant time.
    if api_key is None or not _key_generator.verify(raw_key, api_key.hashed_key):
        return None
    return api_key


def api_key_touch(*, api_key: ApiKey, now: datetime | None = None) -> bool:
    """Record that the key was used, at most once per LAST_USED_RESOLUTION. The condition
    is in the UPDATE, so concurrent requests write once. Returns whether it wrote."""
    now = now or timezone.now()
    stale_before = now - LAST_USED_RESOLUTION
    if api_key.last_used_at is not None and api_key.last_used_at > stale_before:
        return False
    written = (
        ApiKey.objects.filter(pk=api_key.pk)
        .filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale_before))
        .update(last_used_at=now)
    )
    if written:
        api_key.last_used_at = now
    return bool(written)


def api_keys_for_listing():
    """Every key, active ones first, newest first, with the people who created and revoked it."""
    return ApiKey.objects.select_related("created_by", "revoked_by").order_by(
        F("revoked_at").asc(nulls_first=True), "-created_at", "-id"
    )
