"""Retry delays: exponential with full jitter, capped."""

import random

import pytest

from integrations.webhooks.delivery import backoff_seconds


@pytest.fixture(autouse=True)
def schedule(settings):
    settings.WEBHOOKS_BACKOFF_BASE_SECONDS = 30
    settings.WEBHOOKS_BACKOFF_CAP_SECONDS = 3600


@pytest.mark.parametrize(
    ("attempts", "ceiling"),
    [(1, 30), (2, 60), (3, 120), (5, 480), (7, 1920), (8, 3600), (20, 3600), (500, 3600)],
)
def test_every_delay_lies_between_zero_and_the_capped_exponential(attempts, ceiling):
    rng = random.Random(attempts)
    delays = [backoff_seconds(attempts=attempts, rng=rng) for _ in range(2000)]

    assert all(0 <= delay <= ceiling for delay in delays)
    # Full jitter: the whole range is used, not just the top of it.
    assert min(delays) < ceiling * 0.02
    assert max(delays) > ceiling * 0.98


def test_the_jitter_spreads_retries_of_simultaneous_failures():
    rng = random.Random(7)
    delays = {round(backoff_seconds(attempts=4, rng=rng), 3) for _ in range(100)}

    assert len(delays) > 95


def test_the_ceiling_doubles_per_attempt_until_the_cap():
    rng = random.Random(1)
    means = [
        sum(backoff_seconds(attempts=n, rng=rng) for _ in range(4000)) / 4000 for n in (1, 2, 3)
    ]

    # Uniform(0, c) has mean c/2: 15, 30, 60 seconds.
    assert means[0] == pytest.approx(15, rel=0.08)
    assert means[1] == pytest.approx(30, rel=0.08)
    assert means[2] == pytest.approx(60, rel=0.08)
