import os
from datetime import UTC, datetime

import pytest
import time_machine

from tests import factories

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from
# that thread are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# Every test runs at this instant unless it asks for the real clock, so the suite gives the
# same answer on any day. It is awkward on purpose: the last day of a quarter (a month and
# its quarter end together), 90 minutes before midnight UTC (already the next day east of
# UTC+1:30), and after a DST change in Europe. The clock ticks from there, so ordering by
# time still works; no test runs long enough to reach midnight.
PINNED_NOW = datetime(2027, 3, 31, 22, 30, tzinfo=UTC)

# Fixtures whose work happens where a pin cannot reach: another process (a Celery worker)
# or a browser that stamps and expires cookies with the machine's clock. A test that starts
# its own processes (`WorkerProcess`, `subprocess`) says `pytest.mark.real_clock` itself.
REAL_CLOCK_FIXTURES = {"live_server", "celery_worker", "page", "browser"}
REAL_CLOCK_MARKERS = {"browser", "redis"}


def pytest_collection_modifyitems(items):
    for item in items:
        markers = {marker.name for marker in item.iter_markers()}
        if markers & REAL_CLOCK_MARKERS or REAL_CLOCK_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.real_clock)


@pytest.fixture(autouse=True)
def clock(request):
    """The pinned clock (`clock.move_to(...)`, `clock.shift(...)`); None under `real_clock`."""
    if request.node.get_closest_marker("real_clock"):
        yield None
        return
    with time_machine.travel(PINNED_NOW, tick=True) as traveller:
        yield traveller


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
