"""Response headers every page and API answer carries, beyond Django's own.

- `Permissions-Policy`: Funnel uses no camera, microphone, location, payment or other
  powerful browser feature; denying them all means injected script could not either.
- `Cache-Control: private, no-store` on what only a signed-in user may see (HTML pages
  for a session, every API response): a shared proxy must not keep it, and the browser
  must not keep it on disk either (a shared machine, the back button after sign-out).
  Static files are answered by WhiteNoise before this middleware and keep their caching.

The Content-Security-Policy header comes from django-csp (CONTENT_SECURITY_POLICY in
config/settings/base.py).
"""

from django.conf import settings
from django.utils.cache import patch_cache_control


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions_policy = ", ".join(
            f"{feature}=({' '.join(allow)})"
            for feature, allow in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.permissions_policy)
        if _private(request, response):
            patch_cache_control(response, private=True, no_store=True)
        return response


def _private(request, response) -> bool:
    if request.path.startswith(settings.FUNNEL_API_PREFIX):
        return True
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return signed_in and response.get("Content-Type", "").startswith("text/html")
