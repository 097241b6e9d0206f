"""Redis stopped for 30 s under concurrent API writes and captures: the API keeps reading
and writing (no 5xx at all), and the work queued meanwhile runs once the broker is back
(every new prospect gets an owner)."""

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

OUTAGE_SECONDS = 30


def test_redis_stopped_for_30_seconds(stack):
    with Writers(stack, tag="redis") as writers:
        time.sleep(3)
        stack.redis.stop()
        outage_started = len(writers.outcomes)
        # A person signing in and an integration fetching a token, during the outage.
        token_status, _ = stack.http(
            "POST", "/api/v1/auth/token/", {"username": "boss", "password": "fault-pass"}
        )
        time.sleep(OUTAGE_SECONDS)
        during = writers.outcomes[outage_started:]
        stack.redis.start()
        time.sleep(3)

    assert token_status == 200
    assert len(during) > 20, "too few writes during the outage to mean anything"
    errors = [o for o in writers.outcomes if o.status >= 500 or o.status == 0]
    assert errors == [], writers.statuses()
    assert_nothing_lost_or_duplicated(stack, writers)
    wait_until_every_prospect_is_owned(stack, timeout=60)
    stack.assert_processes_alive()
