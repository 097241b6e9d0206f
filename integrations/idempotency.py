"""`Idempotency-Key` on every API POST: a retry returns the first response, writes nothing.

Behaviour (IETF draft "The Idempotency-Key HTTP Header Field", as Stripe does it):
- the first POST with a key runs and its response (status, body, content type) is stored
  against (caller, key) for 24 hours;
- a retry with the same key and the same request gets that response again, with
  `Idempotent-Replayed: true`, and the view does not run;
- the same key with a different method, path, query or body: 422;
- the same key while the first request is still running: 409;
- responses that say "try again" are not stored, so a retry really runs again: 5xx, 401,
  403, 409 and 429.
Requests without the header, anonymous ones (there is no caller to scope the key to, as
on public lead capture) and anything outside the API's DRF views pass through untouched.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.settings import api_settings

from integrations.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
LIFETIME = timedelta(hours=24)
# A record still in flight after this long belongs to a request that died mid-way
# (killed worker); a retry may take it over instead of getting 409 for a day.
IN_FLIGHT_TIMEOUT = timedelta(minutes=5)
UNSTORED_STATUSES = frozenset({401, 403, 409, 429})
REPLAYED_HEADERS = ("Location",)


@dataclass(frozen=True)
class Claim:
    """The outcome of claiming a key: run the request (record), replay, or refuse."""

    record: IdempotencyRecord | None = None
    replay: IdempotencyRecord | None = None
    refusal_status: int | None = None
    refusal_detail: str = ""


def request_fingerprint(*, method: str, path: str, query: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query.encode()):
        digest.update(part + b"\0")
    digest.update(body)
    return digest.hexdigest()


def idempotency_claim(
    *, principal: str, key: str, fingerprint: str, method: str, path: str
) -> Claim:
    """Insert the in-flight record for (principal, key), or explain why this request may
    not run. The unique constraint decides races: exactly one inserter wins."""
    now = timezone.now()
    for _attempt in range(2):
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    principal=principal,
                    key=key,
                    fingerprint=fingerprint,
                    method=method,
                    path=path[:2000],
                    created_at=now,
                )
            return Claim(record=record)
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(principal=principal, key=key).first()
        if existing is None:
            continue  # Released or purged in between: try to insert again.
        if existing.created_at <= now - LIFETIME or (
            existing.completed_at is None and existing.created_at <= now - IN_FLIGHT_TIMEOUT
        ):
            # Expired or abandoned: delete exactly that row (a concurrent retry may have
            # taken it over already) and claim again.
            IdempotencyRecord.objects.filter(
                pk=existing.pk, created_at=existing.created_at
            ).delete()
            continue
        if existing.fingerprint != fingerprint:
            return Claim(
                refusal_status=422,
                refusal_detail=(
                    "This Idempotency-Key was already used for a different request; "
                    "use a new key for a new request."
                ),
            )
        if existing.completed_at is None:
            return Claim(
                refusal_status=409,
                refusal_detail=(
                    "A request with this Idempotency-Key is still being processed; "
                    "retry after it has finished."
                ),
            )
        return Claim(replay=existing)
    return Claim(
        refusal_status=409,
        refusal_detail="This Idempotency-Key is being used concurrently; retry.",
    )


def idempotency_complete(*, record: IdempotencyRecord, response: HttpResponse) -> None:
    headers = {name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)}
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        completed_at=timezone.now(),
        response_status=response.status_code,
        response_content_type=response.get("Content-Type", "")[:200],
        response_headers=headers,
        response_body=bytes(response.content),
    )


def idempotency_release(*, record: IdempotencyRecord) -> None:
    IdempotencyRecord.objects.filter(pk=record.pk, completed_at__isnull=True).delete()


def idempotency_records_purge(*, now=None) -> int:
    """Delete records past their lifetime. Returns how many."""
    cutoff = (now or timezone.now()) - LIFETIME
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lte=cutoff).delete()
    return deleted


def _json_error(status: int, detail: str) -> HttpResponse:
    return HttpResponse(
        json.dumps({"detail": detail}), status=status, content_type="application/json"
    )


def _request_principal(request: HttpRequest, authenticator_classes) -> str | None:
    """The caller as the view will authenticate it (its own authentication classes, in
    order). None if anonymous or the credentials are bad: the view then answers by itself,
    and nothing is stored."""
    drf_request = Request(request)
    for authenticator_class in authenticator_classes:
        try:
            result = authenticator_class().authenticate(drf_request)
        except exceptions.APIException:
            return None
        if result is not None:
            return f"user:{result[0].pk}"
    return None


class IdempotencyMiddleware:
    """Applies the rules above to POSTs to DRF views under settings.FUNNEL_API_PREFIX.
    Must come after AuthenticationMiddleware (session callers)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self.get_response(request)
        except BaseException:
            record = getattr(request, "_idempotency_record", None)
            if record is not None:
                idempotency_release(record=record)
            raise
        record = getattr(request, "_idempotency_record", None)
        if record is not None:
            storable = (
                response.status_code < 500
                and response.status_code not in UNSTORED_STATUSES
                and not response.streaming
            )
            if storable:
                idempotency_complete(record=record, response=response)
            else:
                idempotency_release(record=record)
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        # After URL resolution: the view's own authentication classes say who the caller is.
        key = request.headers.get(HEADER)
        view_class = getattr(view_func, "cls", None)
        if (
            key is None
            or request.method != "POST"
            or not request.path.startswith(settings.FUNNEL_API_PREFIX)
            or view_class is None
        ):
            return None
        if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
            return _json_error(
                400, f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable ASCII characters."
            )
        authenticators = getattr(
            view_class, "authentication_classes", api_settings.DEFAULT_AUTHENTICATION_CLASSES
        )
        principal = _request_principal(request, authenticators)
        if principal is None:
            return None
        try:
            body = request.body
        except RequestDataTooBig:
            return _json_error(413, "The request body is too large.")
        fingerprint = request_fingerprint(
            method=request.method,
            path=request.path,
            query=request.META.get("QUERY_STRING", ""),
            body=body,
        )
        claim = idempotency_claim(
            principal=principal,
            key=key,
            fingerprint=fingerprint,
            method=request.method,
            path=request.path,
        )
        if claim.refusal_status is not None:
            return _json_error(claim.refusal_status, claim.refusal_detail)
        if claim.replay is not None:
            return _replayed(claim.replay)
        request._idempotency_record = claim.record
        return None


def _replayed(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(
        bytes(record.response_body),
        status=record.response_status,
        content_type=record.response_content_type or "application/json",
    )
    for name, value in record.response_headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response
