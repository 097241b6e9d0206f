import os

import pytest

from tests import factories

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from
# that thread are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _clear_cache():
    # Throttle and login-lockout counters live in the cache: each test starts from zero.
    from django.core.cache import cache

    from funnel.counters import counters

    cache.clear()
    counters.reset()
    yield
    cache.clear()
    counters.reset()


@pytest.fixture
def manager(db):
    return factories.ManagerFactory()


@pytest.fixture
def marketer(db):
    return factories.MarketerFactory()


@pytest.fixture
def rep(db):
    return factories.RepFactory()


@pytest.fixture
def other_rep(db):
    return factories.RepFactory()


@pytest.fixture
def lead(db):
    return factories.LeadFactory()
