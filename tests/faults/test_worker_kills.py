"""Workers killed (SIGKILL) or stopped (SIGTERM) mid-work: an import killed while reading or
writing is taken over within a minute and finishes exactly once; prospects moved by the
rule when the worker died all get an owner; every process stops within docker's 10 s."""

import os
import signal
import subprocess
import time

import pytest

from tests.faults.load import wait_until_every_prospect_is_owned
from tests.faults.stack import wait_for

# One stack for all fault tests: keep them on one xdist worker when the suite runs on both
# cores.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("faults")]

LINES = 60_000
START_IMPORT = """
from django.core.files import File
from marketing.imports import services
with open({path!r}, "rb") as f:
    job = services.import_job_create(upload=File(f), encoding="utf-8", actor=None)
services.import_job_start(
    job=job, mapping=job.mapping, delimiter=job.delimiter, dry_run=False, skip_bad_lines=False
)
print(job.pk)
"""


def import_started(stack, tmp_path, tag: str, lines: int = LINES) -> int:
    # Long enough that reading outlasts `manage.py shell` returning (a few seconds).
    path = tmp_path / f"{tag}.csv"
    with path.open("w") as out:
        out.write("Email,First name\n")
        out.writelines(f"{tag}-{n}@example.com,Name {n}\n" for n in range(lines))
    return int(stack.shell(START_IMPORT.format(path=str(path))).strip().splitlines()[-1])


def job_state(stack, job_id: int) -> tuple[str, int, int]:
    return stack.pg.query(
        "SELECT status, lines_read, attempt FROM marketing_importjob WHERE id = %s", job_id
    )[0]


def wait_for_state(stack, job_id: int, status: str, *, timeout: float, min_lines: int = 0):
    def reached() -> bool:
        now, lines, _ = job_state(stack, job_id)
        return now == status and lines >= min_lines

    try:
        wait_for(reached, timeout=timeout, what=f"import {status}", poll=0.05)
    except AssertionError:
        raise AssertionError(f"{job_state(stack, job_id)}\n{stack.diagnostics()}") from None


def assert_imported_once(
    stack, job_id: int, tag: str, *, attempts: int, lines: int = LINES
) -> None:
    wait_for_state(stack, job_id, "done", timeout=120)
    assert job_state(stack, job_id)[2] == attempts
    count = stack.pg.value("SELECT count(*) FROM leads_lead WHERE email LIKE %s", f"{tag}-%")
    assert count == lines
    staged = "SELECT count(*) FROM marketing_import_row WHERE job_id = %s"
    # A stopped run's last batch may land after the finishing run cleaned up; the resume
    # sweep (every half lease) removes such rows.
    wait_for(lambda: stack.pg.value(staged, job_id) == 0, timeout=60, what="staging swept")


def test_an_import_killed_while_reading_resumes_and_finishes_once(stack, tmp_path):
    job_id = import_started(stack, tmp_path, "read", lines=4 * LINES)
    wait_for_state(stack, job_id, "reading", timeout=60, min_lines=1)
    # Kill the pool processes only: the main process redelivers the message at once, the
    # job's lease is still live, so that copy does nothing; the resume sweep takes over.
    worker = stack.processes["worker"].popen.pid
    children = subprocess.run(["pgrep", "-P", str(worker)], capture_output=True, text=True)
    for pid in children.stdout.split():
        os.kill(int(pid), signal.SIGKILL)
    started = time.monotonic()

    wait_for_state(stack, job_id, "reading", timeout=60)
    assert_imported_once(stack, job_id, "read", attempts=2, lines=4 * LINES)
    assert time.monotonic() - started < 90


def test_an_import_killed_while_writing_resumes_and_finishes_once(stack, tmp_path):
    job_id = import_started(stack, tmp_path, "write")
    wait_for_state(stack, job_id, "writing", timeout=120)
    time.sleep(0.5)
    stack.processes["worker"].kill()
    stack.start("worker")

    assert_imported_once(stack, job_id, "write", attempts=2)


def test_a_worker_stopped_during_an_import_exits_within_10_seconds(stack, tmp_path):
    job_id = import_started(stack, tmp_path, "stop", lines=4 * LINES)
    wait_for_state(stack, job_id, "reading", timeout=60, min_lines=1)

    assert stack.processes["worker"].stop() < 10
    stack.start("worker")

    assert_imported_once(stack, job_id, "stop", attempts=2, lines=4 * LINES)


MOVER_LEADS = 2000
SEED_MOVER = f"""
from leads.models import Lead
from marketing.models import FitRule
from marketing.scoring import scoring_rules_get
FitRule.objects.create(field="industry", value="Robotics", points=scoring_rules_get().mql_threshold)
Lead.objects.bulk_create(
    Lead(email=f"rule-{{n}}@example.com", industry="Robotics") for n in range({MOVER_LEADS})
)
"""
RUN_MOVER = "from funnel.tasks import qualify_scored_leads; qualify_scored_leads.delay()"


def test_prospects_moved_by_the_rule_get_owners_after_a_kill(stack):
    stack.shell(SEED_MOVER)
    stack.shell(RUN_MOVER)

    def moved() -> int:
        return stack.pg.value(
            "SELECT count(*) FROM funnel_stagechange s JOIN leads_lead l ON l.id = s.lead_id"
            " WHERE l.email LIKE 'rule-%%' AND s.to_stage = 'prospect'"
        )

    wait_for(lambda: moved() >= 200, timeout=60, what="the rule mover to start", poll=0.02)
    stack.processes["worker"].kill()
    assert moved() < MOVER_LEADS, "the mover finished before the kill: add leads"
    stack.start("worker")
    stack.shell(RUN_MOVER)  # Beat's next minute.

    wait_for(lambda: moved() == MOVER_LEADS, timeout=60, what="every lead moved")
    wait_until_every_prospect_is_owned(stack, timeout=60)
    per_lead = stack.pg.query(
        "SELECT count(*) FROM funnel_stagechange s JOIN leads_lead l ON l.id = s.lead_id"
        " WHERE l.email LIKE 'rule-%%' GROUP BY s.lead_id HAVING count(*) > 1"
    )
    assert per_lead == []


def test_web_and_beat_stop_within_10_seconds(stack):
    assert stack.processes["beat"].stop() < 10
    assert stack.processes["web"].stop() < 10
    assert stack.processes["worker"].stop() < 10
