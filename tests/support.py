"""Markers for tests that only mean something on the production stack (CI sets both)."""

import os

import pytest

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql", "psql"))
ON_REDIS = os.environ.get("CELERY_BROKER_URL", "").startswith(("redis://", "rediss://"))

postgres_only = pytest.mark.skipif(
    not ON_POSTGRES, reason="needs PostgreSQL: set DATABASE_URL (CI does)"
)
redis_only = pytest.mark.skipif(
    not (ON_POSTGRES and ON_REDIS),
    reason="needs PostgreSQL and a Redis broker: set DATABASE_URL and CELERY_BROKER_URL",
)
