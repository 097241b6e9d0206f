"""A transaction PostgreSQL aborted as a deadlock victim runs again; any other error, or a
deadlock inside an outer transaction (which cannot be retried alone), is raised."""

import pytest
from django.db import OperationalError, transaction

from funnel.deadlocks import ATTEMPTS, deadlock_retried


class _PgError(Exception):
    def __init__(self, pgcode: str) -> None:
        super().__init__(pgcode)
        self.pgcode = pgcode


def failing(times: int, pgcode: str = "40P01"):
    calls = []

    def run():
        calls.append(1)
        if len(calls) <= times:
            raise OperationalError("boom") from _PgError(pgcode)
        return "done"

    return run, calls


def test_a_deadlock_victim_runs_again():
    run, calls = failing(2)
    assert deadlock_retried(run, what="test") == "done"
    assert len(calls) == 3


def test_it_gives_up_after_the_last_attempt():
    run, calls = failing(ATTEMPTS)
    with pytest.raises(OperationalError):
        deadlock_retried(run, what="test")
    assert len(calls) == ATTEMPTS


def test_other_database_errors_are_not_retried():
    run, calls = failing(1, pgcode="57P01")
    with pytest.raises(OperationalError):
        deadlock_retried(run, what="test")
    assert len(calls) == 1


@pytest.mark.django_db
def test_inside_an_outer_transaction_nothing_is_retried():
    run, calls = failing(1)
    with pytest.raises(OperationalError), transaction.atomic():
        deadlock_retried(run, what="test")
    assert len(calls) == 1
