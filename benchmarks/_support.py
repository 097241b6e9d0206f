"""What every PostgreSQL benchmark needs before it measures: a throwaway database (only
one whose name ends in "_bench", since benchmarks wipe it) and Django set up on it."""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def ensure_database(url: str) -> None:
    """Create the database of `url` when missing; refuse any not named "*_bench"."""
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.endswith("_bench"):
        sys.exit(f"Refusing to wipe {name!r}: the benchmark database's name must end in _bench.")
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def setup_django(
    *, var_dir: str = "/tmp/funnel-bench", migrate: bool = True, settings: dict | None = None
) -> None:
    """django.setup() with the base settings (environment variables still win), then
    `settings` overrides applied and, unless told otherwise, the migrations run."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("FUNNEL_VAR_DIR", var_dir)
    import django

    django.setup()
    from django.conf import settings as django_settings

    for name, value in (settings or {}).items():
        setattr(django_settings, name, value)
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
