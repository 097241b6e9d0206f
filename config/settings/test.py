"""Test settings: SQLite by default, PostgreSQL + Redis when DATABASE_URL/CELERY_BROKER_URL
are set (CI)."""

from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASES

DEBUG = False
# The default hasher allows ~4 logins/s on 2 cores; tests log in constantly.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = False
# Tests send bursts far above the production API limits; the throttling tests
# (tests/integrations/test_throttling*.py) set the limits they check explicitly.
FUNNEL_THROTTLE_RATES = {"burst": "1000000/10s", "daily": "1000000/day", "capture": "1000000/min"}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory: a worker or browser process must see the same database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-funnel.sqlite3")}  # noqa: F405

# WhiteNoise warns on every request when the collected-static folder is missing.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
