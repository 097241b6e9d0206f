"""One place that maps domain exceptions to HTTP: views never translate them by hand."""

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from funnel.errors import Conflict
from funnel.stages import IllegalTransition, UnknownStage


def exception_handler(exc, context):
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
