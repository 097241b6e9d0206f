"""Concurrent API writes while a fault is injected, and the checks every fault must pass:
no lead lost or duplicated, no stage change duplicated, no 5xx for a change that committed,
every new prospect owned soon after recovery."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from tests.faults.stack import Stack, wait_for


@dataclass
class Outcome:
    kind: str  # "create", "move" or "capture"
    email: str
    status: int


@dataclass
class Writers:
    stack: Stack
    tag: str
    threads: int = 3
    outcomes: list[Outcome] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._workers = [
            threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(self.threads)
        ]

    def __enter__(self) -> Writers:
        for worker in self._workers:
            worker.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for worker in self._workers:
            worker.join(timeout=60)

    def _record(self, kind: str, email: str, status: int) -> None:
        with self._lock:
            self.outcomes.append(Outcome(kind, email, status))

    def _run(self, n: int) -> None:
        token, key = self.stack.seed["token"], self.stack.seed["key"]
        i = 0
        while not self._stop.is_set():
            i += 1
            email = f"{self.tag}-{n}-{i}@example.com"
            status, body = self.stack.http("POST", "/api/v1/leads/", {"email": email}, token)
            self._record("create", email, status)
            if status == 201:
                status, _ = self.stack.http(
                    "POST", f"/api/v1/leads/{body['id']}/transition/", {"to": "prospect"}, token
                )
                self._record("move", email, status)
            status, _ = self.stack.http(
                "POST", "/api/v1/capture/", {"key": key, "email": f"c-{email}"}
            )
            self._record("capture", f"c-{email}", status)
            time.sleep(0.02)

    def statuses(self) -> Counter:
        return Counter((o.kind, o.status) for o in self.outcomes)


def leads_by_email(stack: Stack, tag: str) -> dict[str, tuple[str, int]]:
    """email -> (stage, number of stage changes into prospect)."""
    rows = stack.pg.query(
        "SELECT l.email, l.stage, count(s.id) FROM leads_lead l"
        " LEFT JOIN funnel_stagechange s ON s.lead_id = l.id AND s.to_stage = 'prospect'"
        " WHERE l.email LIKE %s GROUP BY l.email, l.stage",
        f"%{tag}-%",
    )
    return {email: (stage, moves) for email, stage, moves in rows}


def assert_nothing_lost_or_duplicated(stack: Stack, writers: Writers) -> None:
    leads = leads_by_email(stack, writers.tag)
    duplicates = stack.pg.query(
        "SELECT lower(email), count(*) FROM leads_lead WHERE email LIKE %s"
        " GROUP BY lower(email) HAVING count(*) > 1",
        f"%{writers.tag}-%",
    )
    assert duplicates == []
    for outcome in writers.outcomes:
        stage, moves = leads.get(outcome.email, (None, 0))
        if outcome.kind in ("create", "capture"):
            if 200 <= outcome.status < 300:
                assert stage is not None, f"{outcome} answered 2xx but the lead is missing"
            elif outcome.status >= 500 or outcome.status == 0:
                assert stage is None, f"{outcome} answered {outcome.status} but committed"
        else:
            assert moves <= 1, f"{outcome.email} moved to prospect {moves} times"
            if 200 <= outcome.status < 300:
                assert (stage, moves) == ("prospect", 1), f"{outcome}: {stage}, {moves} moves"
            elif outcome.status >= 500 or outcome.status == 0:
                assert stage == "lead", f"{outcome} answered {outcome.status} but committed"


def wait_until_every_prospect_is_owned(stack: Stack, *, timeout: float) -> None:
    def ownerless() -> int:
        return stack.pg.value(
            "SELECT count(*) FROM leads_lead WHERE stage = 'prospect' AND owner_id IS NULL"
        )

    try:
        wait_for(lambda: ownerless() == 0, timeout=timeout, what="every prospect to be owned")
    except AssertionError:
        raise AssertionError(
            f"{ownerless()} prospects without owner\n{stack.diagnostics()}"
        ) from None
