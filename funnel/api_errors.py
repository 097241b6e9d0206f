"""One place that maps exceptions to HTTP for the API: views never translate them by hand.

`exception_handler` is DRF's (REST_FRAMEWORK["EXCEPTION_HANDLER"]); the `handler*` views
are Django's (config/urls.py) and answer JSON under /api/, so an unrouted path
(`/api/v1/leads/abc/`) or a body Django refuses before any view runs is never an HTML page.
"""

from django.conf import settings
from django.core.exceptions import (
    ObjectDoesNotExist,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from funnel.errors import Conflict
from funnel.stages import IllegalTransition, MoveNeedsManager, UnknownStage
from funnel.throttling import unauthenticated_throttle


def exception_handler(exc, context):
    refused = refused_body(exc)
    if refused is not None:
        return Response(refused[1], status=refused[0])
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        exc = _unauthenticated(exc, context)
    if isinstance(exc, MoveNeedsManager):
        return Response(
            {"detail": str(exc), "from_stage": exc.from_stage, "to_stage": exc.to_stage},
            status=status.HTTP_403_FORBIDDEN,
        )
    if isinstance(exc, IllegalTransition):
        return Response(
            {"detail": str(exc), "from_stage": exc.from_stage, "to_stage": exc.to_stage},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, Conflict):
        return Response({"detail": exc.message, "code": exc.code}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, ObjectDoesNotExist):
        # Deleted by someone else between the view's look-up and the service's lock.
        return Response({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, UnknownStage):
        return Response({"to": [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, IntegrityError):
        # A unique-constraint race lost to a concurrent request: a conflict, not a 500.
        return Response(
            {"detail": "The record conflicts with one saved at the same time; retry."},
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)


def _unauthenticated(exc, context):
    """A 401 still spends the caller's (per address) budget, so credential guessing is
    rate-limited; and its challenge names the scheme the caller tried."""
    request, view = context.get("request"), context.get("view")
    if request is None:
        return exc
    bad_credentials = isinstance(exc, exceptions.AuthenticationFailed)
    wait = unauthenticated_throttle(request, view, bad_credentials=bad_credentials)
    if wait is not None:
        return exceptions.Throttled(wait=wait)
    if getattr(exc, "auth_header", None):
        exc.auth_header = _challenge_for(request) or exc.auth_header
    return exc


def _challenge_for(request) -> str | None:
    """DRF challenges with the first authentication class (`Token`); a caller who sent
    `Api-Key ...` must be told that scheme failed."""
    header = request.META.get("HTTP_AUTHORIZATION", "").split()
    if not header:
        return None
    for authenticator in getattr(request, "authenticators", ()):
        challenge = authenticator.authenticate_header(request)
        if challenge and challenge.split()[0].lower() == header[0].lower():
            return challenge
    return None


def refused_body(exc) -> tuple[int, dict] | None:
    """Django's own limits on a request body (DATA_UPLOAD_MAX_*), as a JSON answer."""
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        detail = f"Request body too large: at most {limit} bytes."
        return status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, {"detail": detail, "code": "too_large"}
    if isinstance(exc, TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        detail = f"Too many fields: at most {limit}."
        return status.HTTP_400_BAD_REQUEST, {"detail": detail, "code": "too_many_fields"}
    if isinstance(exc, TooManyFilesSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        detail = f"Too many files: at most {limit}."
        return status.HTTP_400_BAD_REQUEST, {"detail": detail, "code": "too_many_files"}
    return None


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def handler400(request, exception=None):
    if not _is_api(request):
        return defaults.bad_request(request, exception)
    code, detail = refused_body(exception) or (
        status.HTTP_400_BAD_REQUEST,
        {"detail": "Bad request."},
    )
    return JsonResponse(detail, status=code)


def handler403(request, exception=None):
    if not _is_api(request):
        return defaults.permission_denied(request, exception)
    return JsonResponse(
        {"detail": "You do not have permission to perform this action."}, status=403
    )


def handler404(request, exception=None):
    if not _is_api(request):
        return defaults.page_not_found(request, exception)
    return JsonResponse({"detail": "Not found."}, status=404)


def handler500(request):
    if not _is_api(request):
        return defaults.server_error(request)
    return JsonResponse({"detail": "Server error."}, status=500)
