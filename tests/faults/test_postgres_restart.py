"""PostgreSQL restarted under concurrent API writes: 5xx only while it is down, never for a
change that committed; afterwards everything recovers by itself (every new prospect gets an
owner, the worker and beat keep running)."""

import time

import pytest

from tests.faults.load import (
    Writers,
    assert_nothing_lost_or_duplicated,
    wait_until_every_prospect_is_owned,
)

# One stack for all fault tests: keep them on one xdist worker when the suite runs on both
# cores.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("faults")]


def test_postgres_restart_under_writes(stack):
    with Writers(stack, tag="pg") as writers:
        time.sleep(3)
        stack.pg.restart()
        time.sleep(5)
        after_restart = len(writers.outcomes)
        time.sleep(3)
        settled = writers.outcomes[after_restart:]

    assert settled and all(o.status < 500 for o in settled), writers.statuses()
    assert_nothing_lost_or_duplicated(stack, writers)
    wait_until_every_prospect_is_owned(stack, timeout=60)
    stack.assert_processes_alive()
