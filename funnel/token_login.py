"""`POST /api/v1/auth/token/`: DRF's token login, with the project's parsers and rate limits
and a plain answer when the login is locked (funnel/login_throttle.py).

A locked login is `429 Too Many Requests` with `Retry-After` (seconds until the lock ends)
and a message that says so, not DRF's "Unable to log in with provided credentials.": a
script that retries a correct password must learn that waiting, not a new password, helps.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.settings import api_settings

from funnel.login_throttle import login_lockout_remaining
from funnel.throttling import client_ip


class LoginLocked(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "login_locked"

    def __init__(self, *, wait: int):
        # DRF's exception handler turns `wait` into the Retry-After header.
        self.wait = wait
        minutes = -(-wait // 60)
        super().__init__(
            "Too many failed login attempts: logins for this account from your address are "
            f"temporarily locked. Try again in {minutes} minute(s) ({wait} s)."
        )


class TokenLoginView(ObtainAuthToken):
    # DRF's view names its own parsers (stock JSONParser: a 500 on deeply nested JSON) and
    # no throttles; anonymous callers are limited per address like every other request.
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES
    throttle_classes = api_settings.DEFAULT_THROTTLE_CLASSES

    @extend_schema(
        summary="Get a user token",
        description=(
            "A wrong username or password is a 400. After repeated failures the login is "
            "locked for a while: 429 with `Retry-After`, even for the right password."
        ),
    )
    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except exceptions.ValidationError:
            # Checked after the attempt: the failure just recorded may be the one that locks.
            username = request.data.get("username") if hasattr(request.data, "get") else None
            if isinstance(username, str) and username:
                wait = login_lockout_remaining(username=username, ip=client_ip(request))
                if wait:
                    raise LoginLocked(wait=wait) from None
            raise
