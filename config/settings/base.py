"""Settings shared by every environment, read from environment variables.

Unset variables fall back to the embedded default: SQLite (WAL) in `var/` and a
server-less Celery broker (kombu's SQLAlchemy transport over a second SQLite file),
so `make run` works on a bare machine. Production sets DATABASE_URL, CELERY_BROKER_URL,
SECRET_KEY and ALLOWED_HOSTS (see config/settings/production.py).
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("FUNNEL_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Off unless DEBUG=1: `make run` behaves like production (styled error pages, no settings
# or URL patterns shown to whoever mistypes an address, static files from WhiteNoise).
DEBUG = env.bool("DEBUG", default=False)
# Only for local, embedded use; production.py refuses to start without SECRET_KEY.
SECRET_KEY = env.str("SECRET_KEY", default="funnel-insecure-local-development-key-change-me")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_celery_beat",
    "funnel",
    "leads",
    "marketing",
    "sales",
    "integrations",
    "outbox",
    # The rate table: sales and marketing convert their amounts with it.
    "currencies",
    # On top of the others, like the dashboards: reads leads, campaigns and deals.
    "search",
    "lists",
    # Email: sends, templates, suppression, tracking, campaign sends, sequence emails.
    "anymail",
    "mail",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: idempotency keys are scoped to the caller.
    "integrations.idempotency.IdempotencyMiddleware",
    "funnel.throttling.RateLimitHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

# --- Content-Security-Policy (django-csp) and Permissions-Policy (config/middleware.py) -
# Scripts only from our own static files: no inline <script>, no onclick=, no eval (htmx's
# allowEval is off in templates/base.html). Styles likewise, except style="" attributes:
# they carry computed sizes (progress bars, budget meters, funnel segments, heat-map
# shades) that the pages show without JavaScript, and an attribute cannot run code.
# Browsers without style-src-attr fall back to style-src and only lose those sizes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # plotly.js (the dashboard charts) adds two <style> elements as it loads: an empty
        # one it fills through the CSSOM, and MapLibre's CSS. These hashes allow exactly
        # those two contents; tests/browser/test_content_security_policy.py fails if a
        # plotly upgrade changes them.
        "style-src-elem": [
            SELF,
            "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
            "'sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o='",
        ],
        "style-src-attr": [UNSAFE_INLINE],
        # Swagger UI draws its icons from data: URIs.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "funnel.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'funnel.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at
    # BEGIN so read-then-write transactions queue instead of failing "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (throttle counters): Redis in production, local memory otherwise ------------
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://funnel")}
# While the cache is down, counters fall back to process memory (funnel/counters.py): how
# long to wait before trying the cache again, and how often to repeat the warning.
FUNNEL_COUNTERS_RETRY_SECONDS = env.float("FUNNEL_COUNTERS_RETRY_SECONDS", default=5.0)
FUNNEL_COUNTERS_WARNING_SECONDS = env.float("FUNNEL_COUNTERS_WARNING_SECONDS", default=60.0)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Password logins (web, admin, API token) are locked after repeated failures per
# username + address (funnel/login_throttle.py).
AUTHENTICATION_BACKENDS = ["funnel.login_throttle.ThrottledModelBackend"]
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_IP_FAILURE_LIMIT = env.int("LOGIN_IP_FAILURE_LIMIT", default=50)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=15 * 60)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
NODE_MODULES_DIR = Path(env.str("NODE_MODULES_DIR", default=str(BASE_DIR / "node_modules")))
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # Browser packages installed from npm (package-lock.json): charts, drag and drop.
    "funnel.vendor_static.VendorFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

# --- REST API -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
        # `Authorization: Api-Key <key>` for integrations (integrations/api_keys/).
        "integrations.authentication.ApiKeyAuthentication",
    ],
    # Per caller, limits in FUNNEL_THROTTLE_RATES (docs/api.md).
    "DEFAULT_THROTTLE_CLASSES": [
        "funnel.throttling.BurstRateThrottle",
        "funnel.throttling.DailyRateThrottle",
    ],
    # Trusted reverse proxies in front of the app: how many X-Forwarded-For entries to
    # believe when throttling per client address (0: only REMOTE_ADDR).
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["funnel.api_query.StrictFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "funnel.pagination.CursorPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "funnel.api_errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # DRF's parsers, with a JSON one that answers 400 (not 500) to absurdly nested bodies
    # and form ones that answer 400 to a repeated key of a single-value field.
    "DEFAULT_PARSER_CLASSES": [
        "funnel.parsers.JSONParser",
        "funnel.parsers.FormParser",
        "funnel.parsers.MultiPartParser",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    # Swagger UI served from the drf-spectacular-sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "TITLE": "Funnel API",
    "DESCRIPTION": (
        "Leads, prospects and customers on one funnel. Authenticate with "
        "`Authorization: Token <key>` (POST /api/v1/auth/token/), a browser session, or "
        "an integration's `Authorization: Api-Key <key>`. Limits, idempotency keys and "
        "bulk upserts: docs/api.md."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Spectacular's enum pass first: it rebuilds `components` from its registry, which
    # would drop the error schemas added by ours. Then the shared responses
    # (401/403/404/400/429, Idempotency-Key's 409/422) on every operation
    # (integrations/openapi.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "integrations.openapi.document_api_conventions",
    ],
    # One schema enum per choice set, however many fields use it (stage, from/to, to).
    "ENUM_NAME_OVERRIDES": {
        "StageEnum": "funnel.stages.STAGE_CHOICES",
        "CauseEnum": "funnel.stages.CAUSE_CHOICES",
        "BulkItemStatusEnum": "leads.bulk.STATUS_CHOICES",
        "DealStatusEnum": "sales.models.Deal.Status",
        "ActivityKindEnum": "sales.models.Activity.Kind",
        "EnrolmentStatusEnum": "sales.models.Enrolment.Status",
        "QuotaPeriodEnum": "sales.models.Quota.Period",
        # Names for the remaining choice sets whose field names collide across apps.
        "TouchKindEnum": "marketing.models.Touch.Kind",
        "CampaignStatusEnum": "marketing.models.Campaign.Status",
        "WebhookDeliveryStatusEnum": "integrations.webhooks.models.WebhookDelivery.Status",
        "EmailKindEnum": "mail.models.MailKind",
        "EmailStatusEnum": "mail.models.Message.Status",
        "EmailSendStatusEnum": "mail.models.CampaignSend.Status",
        "SuppressionReasonEnum": "mail.models.Suppression.Reason",
    },
}

# The API's rate limits ("<count>/<period>"), documented in docs/api.md.
FUNNEL_THROTTLE_RATES = {
    "burst": env.str("FUNNEL_API_BURST_RATE", default="100/10s"),
    "daily": env.str("FUNNEL_API_DAILY_RATE", default="250000/day"),
    # Anonymous public lead capture, per client address.
    "capture": env.str("FUNNEL_CAPTURE_RATE", default="20/min"),
    # Requests with a bad token or API key, per client address (credential guessing).
    "auth_failures": env.str("FUNNEL_AUTH_FAILURE_RATE", default="30/min"),
}
# Where IdempotencyMiddleware applies.
FUNNEL_API_PREFIX = "/api/v1/"

# --- Celery ---------------------------------------------------------------------------
CELERY_BROKER_URL = env.str(
    "CELERY_BROKER_URL", default=f"sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}"
)
if CELERY_BROKER_URL.startswith("sqlite:"):
    # The embedded broker: kombu's SQLAlchemy transport over SQLite, tuned (measured in
    # docs/operations.md). `sqla+sqlite:///...` still selects kombu's stock transport.
    CELERY_BROKER_TRANSPORT = "config.broker:Transport"
# Three queue groups, so one kind of work can never starve another (docs/operations.md,
# "Queues"): interactive work a person waits for, webhook delivery (slow receivers), and
# maintenance sweeps. Each name comes from the environment: tests give a worker a unique
# queue and point all three at it.
CELERY_QUEUE_INTERACTIVE = env.str("CELERY_QUEUE_INTERACTIVE", default="interactive")
CELERY_QUEUE_WEBHOOKS = env.str("CELERY_QUEUE_WEBHOOKS", default="webhooks")
CELERY_QUEUE_MAINTENANCE = env.str("CELERY_QUEUE_MAINTENANCE", default="maintenance")
# Anything not routed below (and a worker started without -Q) uses this queue.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default=CELERY_QUEUE_INTERACTIVE)
# By task name (glob patterns, first match wins); tests/runtime/test_task_routes.py.
CELERY_TASK_ROUTES = [
    {
        # Periodic sweeps and clean-ups.
        "*_sweep": {"queue": CELERY_QUEUE_MAINTENANCE},
        "outbox.tasks.outbox_drain": {"queue": CELERY_QUEUE_MAINTENANCE},
        "sales.tasks.prospects_assign_ownerless": {"queue": CELERY_QUEUE_MAINTENANCE},
        "marketing.tasks.lead_imports_resume": {"queue": CELERY_QUEUE_MAINTENANCE},
        "integrations.tasks.idempotency_records_purge": {"queue": CELERY_QUEUE_MAINTENANCE},
        "funnel.tasks.metric_rollups_refresh": {"queue": CELERY_QUEUE_MAINTENANCE},
        "sales.tasks.stale_prospects_recycle": {"queue": CELERY_QUEUE_MAINTENANCE},
        # Email sends run on the interactive queue (mail.tasks.messages_send after a
        # rep's send, and the sweep) so a long maintenance job cannot hold mail up.
        "mail.tasks.messages_send_sweep": {"queue": CELERY_QUEUE_INTERACTIVE},
        # Webhook delivery, whatever module of integrations it lives in.
        "integrations.*webhook*": {"queue": CELERY_QUEUE_WEBHOOKS},
        # Owner assignment, imports, scoring, the rule mover, sequence steps, outbox rows.
        "*": {"queue": CELERY_QUEUE_INTERACTIVE},
    }
]
CELERY_RESULT_BACKEND = None
# No results are stored, so beat needs no nightly `celery.backend_cleanup` entry.
CELERY_RESULT_EXPIRES = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
# Late acks + one prefetched message: a crashed worker loses at most what it holds, and
# periodic sweeps (set-based movers) re-find anything left unfinished.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A publish while the broker is down fails fast: every intent is in the database already
# and a sweep re-drives it (outbox/), so a web request must not hang on the broker.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Survives a Redis outage without the worker exiting (config/redis_broker.py).
    CELERY_BROKER_TRANSPORT = "config.redis_broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
# Stop within docker's 10 s: on SIGTERM (remapped to a cold shutdown by REMAP_SIGTERM=SIGQUIT
# in docker-compose.yml and the Procfile) running tasks get this long to finish, then are
# cancelled and go back to the queue (late acks); every task is safe to run again. The
# cold shutdown itself takes a few more seconds (measured: up to 7 s with an import
# mid-statement), so the soft part is kept short.
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = env.float("CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT", default=1.0)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The schedule's defaults; `manage.py sync_beat_schedule` (run by `make run`) writes them
# into django-celery-beat's tables, where admins can edit or pause them.
CELERY_BEAT_SCHEDULE = {
    "qualify-scored-leads": {
        "task": "funnel.tasks.qualify_scored_leads",
        "schedule": timedelta(minutes=1),
    },
    # The manager dashboards' daily rollups (PostgreSQL): rebuild the days written since.
    "funnel-metric-rollups-refresh": {
        "task": "funnel.tasks.metric_rollups_refresh",
        "schedule": timedelta(minutes=1),
    },
}

# --- Funnel rules ---------------------------------------------------------------------
# Leads whose score reaches this become prospects (cause "rule").
FUNNEL_MQL_THRESHOLD = env.float("FUNNEL_MQL_THRESHOLD", default=50.0)
# Rows moved per transaction by the set-based mover.
FUNNEL_BULK_MOVE_BATCH = env.int("FUNNEL_BULK_MOVE_BATCH", default=2000)
# A bulk action on the lists runs inside the request up to this many leads, else as a task.
FUNNEL_BULK_SYNC_LIMIT = env.int("FUNNEL_BULK_SYNC_LIMIT", default=200)
# Open claims a rep may hold: unassigned leads they claimed that are still in play.
FUNNEL_MAX_OPEN_CLAIMS = env.int("FUNNEL_MAX_OPEN_CLAIMS", default=25)

# --- Email (mail/, docs/operations.md "Email") -------------------------------------------
# The embedded default stores every message in the local sink (the Outbox page). In
# production: "django.core.mail.backends.smtp.EmailBackend" with EMAIL_HOST etc., or an
# anymail backend ("anymail.backends.mailgun.EmailBackend", ...) with ANYMAIL (JSON: the
# ESP's API key, WEBHOOK_SECRET and webhook signing key, as anymail documents them).
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="mail.backends.SinkBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
ANYMAIL = env.json("ANYMAIL", default={})
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Funnel <funnel@localhost>")
# Message-IDs are <random@MAIL_MESSAGE_ID_DOMAIN>; links in emails start with this URL.
MAIL_MESSAGE_ID_DOMAIN = env.str("MAIL_MESSAGE_ID_DOMAIN", default="funnel.localhost")
MAIL_PUBLIC_BASE_URL = env.str("MAIL_PUBLIC_BASE_URL", default="http://127.0.0.1:8000")
# Whether the backend's ESP reports deliveries by webhook; otherwise (SMTP, the sink) a
# message the server accepted counts as delivered.
MAIL_ESP_REPORTS_DELIVERY = env.bool(
    "MAIL_ESP_REPORTS_DELIVERY", default=EMAIL_BACKEND.startswith("anymail.")
)
# Send rate limits, spread over windows of MAIL_RATE_WINDOW_SECONDS (mail/ratelimit.py).
MAIL_RATE_PER_MINUTE = env.int("MAIL_RATE_PER_MINUTE", default=600)
MAIL_RATE_PER_DOMAIN_PER_MINUTE = env.int("MAIL_RATE_PER_DOMAIN_PER_MINUTE", default=60)
MAIL_RATE_WINDOW_SECONDS = env.int("MAIL_RATE_WINDOW_SECONDS", default=10)
# A claimed message's lease: a worker killed mid-send leaves it for this long.
MAIL_CLAIM_LEASE_SECONDS = env.int("MAIL_CLAIM_LEASE_SECONDS", default=300)
MAIL_MAX_ATTEMPTS = env.int("MAIL_MAX_ATTEMPTS", default=5)
# Sent messages are marked together this many at a time: a crash re-sends at most these
# (each once, with its Message-ID). 1 marks each message as it leaves.
MAIL_MARK_BATCH = env.int("MAIL_MARK_BATCH", default=25)
# Tracking: the open pixel is off unless asked for; click links are signed redirects.
MAIL_TRACK_OPENS = env.bool("MAIL_TRACK_OPENS", default=False)
MAIL_TRACK_CLICKS = env.bool("MAIL_TRACK_CLICKS", default=True)
# Bot rule: a click or open this soon after sending is a link scanner (mail/events.py).
MAIL_BOT_SECONDS = env.int("MAIL_BOT_SECONDS", default=10)
# Unsubscribe, click and open endpoints, per client address.
MAIL_PUBLIC_RATE = env.str("MAIL_PUBLIC_RATE", default="120/min")
CELERY_BEAT_SCHEDULE |= {
    "mail-send": {"task": "mail.tasks.messages_send_sweep", "schedule": timedelta(seconds=10)},
    "mail-campaign-sends": {
        "task": "mail.tasks.campaign_sends_expand_sweep",
        "schedule": timedelta(seconds=30),
    },
}

# --- Lead scoring (marketing/scoring.py) -----------------------------------------------
# The minute run above rescores only leads with a touch or an edit written since its
# watermark, reading this far back past it: a write stamped before a run but committed
# after it (a long import) is still seen if it committed within this many seconds.
SCORING_WATERMARK_OVERLAP_SECONDS = env.int("SCORING_WATERMARK_OVERLAP_SECONDS", default=300)
# Every score is recomputed this often (decay, negative points wearing off, rules or touches
# edited in the admin), and after each change of the rules on the scoring page.
SCORING_FULL_RECOMPUTE_MINUTES = env.int("SCORING_FULL_RECOMPUTE_MINUTES", default=60)
CELERY_BEAT_SCHEDULE |= {
    "recompute-lead-scores": {
        "task": "marketing.tasks.scores_recompute",
        "schedule": timedelta(minutes=SCORING_FULL_RECOMPUTE_MINUTES),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# Open prospects a rep may own before automatic assignment skips them (0: no limit).
SALES_REP_CAPACITY = env.int("SALES_REP_CAPACITY", default=0)

# --- Sales ----------------------------------------------------------------------------
# The company currency, ISO 4217: every report figure, budget and quota target is in it.
# Deals and spend may be in any currency, converted with the rate table (currencies app).
FUNNEL_CURRENCY = env.str("FUNNEL_CURRENCY", default="USD")
# A prospect with no sales activity for this many days is flagged stale (0: never).
SALES_STALE_AFTER_DAYS = env.int("SALES_STALE_AFTER_DAYS", default=14)
# ...and after this many days a beat task recycles it to lead (0: never).
SALES_RECYCLE_AFTER_DAYS = env.int("SALES_RECYCLE_AFTER_DAYS", default=45)
CELERY_BEAT_SCHEDULE |= {
    "sales-create-due-sequence-steps": {
        "task": "sales.tasks.sequence_steps_create_due",
        "schedule": timedelta(minutes=5),
    },
    "sales-recycle-stale-prospects": {
        "task": "sales.tasks.stale_prospects_recycle",
        "schedule": timedelta(hours=1),
    },
    # Weekly forecast snapshots: every 6 hours, idempotent per week (sales.pipeline.forecast).
    "sales-forecast-snapshots": {
        "task": "sales.tasks.forecast_snapshots_take",
        "schedule": timedelta(hours=6),
    },
}

# --- Integrations: idempotency keys live 24 hours (integrations/idempotency.py) --------
CELERY_BEAT_SCHEDULE |= {
    "integrations-purge-idempotency-records": {
        "task": "integrations.tasks.idempotency_records_purge",
        "schedule": timedelta(hours=1),
    },
}

# --- Integrations: webhooks (integrations/webhooks/, docs/webhooks.md) -------------------
# Allow endpoints on private, loopback and link-local addresses: local development and
# tests only. Production leaves it off (SSRF: the network behind Funnel is not a target).
WEBHOOKS_ALLOW_PRIVATE_URLS = env.bool("WEBHOOKS_ALLOW_PRIVATE_URLS", default=False)
WEBHOOKS_MAX_ATTEMPTS = env.int("WEBHOOKS_MAX_ATTEMPTS", default=10)
# Retry n waits uniform(0, min(cap, base * 2^(n-1))) seconds (full jitter).
WEBHOOKS_BACKOFF_BASE_SECONDS = env.float("WEBHOOKS_BACKOFF_BASE_SECONDS", default=30.0)
WEBHOOKS_BACKOFF_CAP_SECONDS = env.float("WEBHOOKS_BACKOFF_CAP_SECONDS", default=6 * 3600.0)
WEBHOOKS_CONNECT_TIMEOUT = env.float("WEBHOOKS_CONNECT_TIMEOUT", default=5.0)
WEBHOOKS_READ_TIMEOUT = env.float("WEBHOOKS_READ_TIMEOUT", default=10.0)
# A claim's lease: longer than a receipt check plus a send (2 x (connect + 2 x read)).
WEBHOOKS_LEASE_SECONDS = env.int("WEBHOOKS_LEASE_SECONDS", default=120)
# One dispatcher per endpoint (integrations/webhooks/dispatch.py): a run sends for at most
# this many seconds or deliveries, then hands over to a fresh task.
WEBHOOKS_DISPATCH_SECONDS = env.int("WEBHOOKS_DISPATCH_SECONDS", default=20)
WEBHOOKS_DISPATCH_MAX_DELIVERIES = env.int("WEBHOOKS_DISPATCH_MAX_DELIVERIES", default=200)
# The dispatcher slot's lease: a queued task's wait plus a run plus one worst-case attempt.
WEBHOOKS_DISPATCH_LEASE_SECONDS = env.int("WEBHOOKS_DISPATCH_LEASE_SECONDS", default=180)
# After a try that got no answer, a 5xx or a 429, the endpoint rests this long.
WEBHOOKS_ENDPOINT_PAUSE_SECONDS = env.int("WEBHOOKS_ENDPOINT_PAUSE_SECONDS", default=15)
WEBHOOKS_SWEEP_SECONDS = env.int("WEBHOOKS_SWEEP_SECONDS", default=15)
CELERY_BEAT_SCHEDULE |= {
    "integrations-webhooks-sweep": {
        "task": "integrations.tasks.webhooks_sweep",
        "schedule": timedelta(seconds=WEBHOOKS_SWEEP_SECONDS),
        # A sweep still queued when the next one is due is dropped, not run late: sweeps
        # never pile up behind busy workers. (`expire_seconds` is django-celery-beat's
        # spelling of the message's `expires`; beat runs its DatabaseScheduler.)
        "options": {"expire_seconds": WEBHOOKS_SWEEP_SECONDS},
    },
}

# --- Sweeps that re-drive background work (outbox/, docs/operations.md) ----------------
# Each re-derives its work from the database, so a lost message, a broker outage or a
# killed worker delays the work by at most a sweep interval (plus a lease).
IMPORT_LEASE_SECONDS = env.int("IMPORT_LEASE_SECONDS", default=30)
if "MARKETING_IMPORT_BATCH_ROWS" in env.ENVIRON:
    # Rows an import stages per statement (default: marketing/imports/services.py).
    MARKETING_IMPORT_BATCH_ROWS = env.int("MARKETING_IMPORT_BATCH_ROWS")
CELERY_BEAT_SCHEDULE |= {
    "outbox-drain": {
        "task": "outbox.tasks.outbox_drain",
        "schedule": timedelta(seconds=env.int("OUTBOX_DRAIN_SECONDS", default=30)),
    },
    "sales-assign-ownerless-prospects": {
        "task": "sales.tasks.prospects_assign_ownerless",
        "schedule": timedelta(seconds=env.int("OWNER_SWEEP_SECONDS", default=30)),
    },
    "marketing-resume-imports": {
        "task": "marketing.tasks.lead_imports_resume",
        "schedule": timedelta(seconds=IMPORT_LEASE_SECONDS // 2),
    },
}
# A periodic message older than its period is superseded by the next one: it expires, so a
# backlog (workers down, a long outage) never piles up copies of the same sweep.
for _entry in CELERY_BEAT_SCHEDULE.values():
    if isinstance(_entry["schedule"], timedelta):
        _entry.setdefault("options", {}).setdefault(
            "expire_seconds", max(10, int(_entry["schedule"].total_seconds()))
        )
del _entry
