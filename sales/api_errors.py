"""HTTP for the sales app's named refusals, in one place.

`funnel.api_errors` maps the project's shared exceptions; this adds `SalesConflict` (409)
and a record deleted under a request (404) for the sales views, then defers to it.
"""

from django.core.exceptions import ObjectDoesNotExist
from rest_framework import status
from rest_framework.response import Response

from funnel.api_errors import exception_handler as funnel_exception_handler
from sales.errors import SalesConflict


def exception_handler(exc, context):
    if isinstance(exc, SalesConflict):
        return Response({"detail": exc.message, "code": exc.code}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, ObjectDoesNotExist):
        # Deleted by someone else between the view's look-up and the service's lock.
        return Response({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
    return funnel_exception_handler(exc, context)


class SalesExceptionHandlerMixin:
    def get_exception_handler(self):
        return exception_handler
