"""Production: PostgreSQL, Redis, gunicorn behind a TLS-terminating proxy.

Refuses to start without a real SECRET_KEY and ALLOWED_HOSTS, and passes
`manage.py check --deploy` without warnings (tests/security/test_deploy_settings.py).
"""

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import env

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("funnel-insecure"):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to 50+ random characters in production, e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(64))'."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

# --- HTTPS: the proxy terminates TLS and says so in X-Forwarded-Proto -------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# --- Security headers -----------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Cookies: HTTPS only, not readable by scripts (session), not sent cross-site -------
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 24 * 7)
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_SAMESITE = "Lax"
# Origins allowed to POST forms (scheme + host), e.g. https://funnel.example.com, when the
# proxy changes the Host header.
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- API --------------------------------------------------------------------------------
# JSON only: the browsable API's HTML forms are a development convenience.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # X-Forwarded-For is believed only from proxies the deployment declares: with gunicorn
    # reachable directly, any client could write the header and pick its own address for
    # the login lockout and the rate limits. Set NUM_PROXIES=1 only when every request
    # passes through one reverse proxy that appends the address it saw (docs/operations.md).
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
}
