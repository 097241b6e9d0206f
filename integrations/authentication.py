"""`Authorization: Api-Key <key>` for integrations, beside user tokens and sessions."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.permissions import SAFE_METHODS

from integrations.api_keys.services import api_key_authenticate, api_key_touch

KEYWORD = "Api-Key"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Authenticates as the key's service user; `request.auth` is the `ApiKey`.

    The read-only scope is enforced here rather than in a permission class: views choose
    their own permission classes, and a read-only key must not write through any of them.
    """

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Invalid Api-Key header: send `Authorization: Api-Key <key>`."
            )
        try:
            raw_key = header[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed("Invalid API key.") from None
        api_key = api_key_authenticate(raw_key=raw_key)
        if api_key is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked API key.")
        if request.method not in SAFE_METHODS and not api_key.can_write:
            raise exceptions.PermissionDenied("This API key is read-only.")
        api_key_touch(api_key=api_key)
        return api_key.user, api_key

    def authenticate_header(self, request):
        return KEYWORD


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "integrations.authentication.ApiKeyAuthentication"
    name = "apiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>`: a key created by a manager under Integrations.",
        }
