"""API plumbing the feature apps share: the "managers write, others read" permission and
the documented error answers of an endpoint (the shapes `funnel.api_errors` produces)."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions

from funnel.roles import is_manager


class ManagersWrite(permissions.BasePermission):
    """Whoever the view lets in may read; only managers write. Subclasses say what in
    `message`."""

    message = "Only managers change this."

    def has_permission(self, request, view) -> bool:
        return request.method in permissions.SAFE_METHODS or is_manager(request.user)


def error_responses(serializer, *, forbidden: str, not_found: str) -> dict:
    """400, 401, 403 and 404 for the OpenAPI document, 403 and 404 in the endpoint's words."""
    return {
        400: OpenApiResponse(serializer, description="Invalid input, field by field."),
        401: OpenApiResponse(serializer, description="No or invalid credentials."),
        403: OpenApiResponse(serializer, description=forbidden),
        404: OpenApiResponse(serializer, description=not_found),
    }
