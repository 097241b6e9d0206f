"""One throwaway stack (PostgreSQL cluster, Redis, gunicorn, worker, beat) for the fault
tests, torn down even when a test fails. PostgreSQL + Redis runs only, like CI."""

import json

import pytest

from tests.faults.stack import Stack, tools_missing
from tests.support import ON_POSTGRES, ON_REDIS

SEED = """
import json
from django.contrib.auth.models import Group, User
from rest_framework.authtoken.models import Token
from funnel.roles import MANAGERS, SALES
from marketing.models import Campaign

boss = User.objects.create_user("boss", password="fault-pass")
boss.groups.add(Group.objects.get_or_create(name=MANAGERS)[0])
for n in range(2):
    rep = User.objects.create_user(f"rep{n}", password="fault-pass")
    rep.groups.add(Group.objects.get_or_create(name=SALES)[0])
campaign = Campaign.objects.create(name="Faults", utm_campaign="faults")
print(json.dumps({"token": Token.objects.create(user=boss).key, "key": campaign.capture_key}))
"""


@pytest.fixture(scope="package")
def stack(tmp_path_factory):
    if not (ON_POSTGRES and ON_REDIS):
        pytest.skip("fault tests run on PostgreSQL + Redis (CI: DATABASE_URL, CELERY_BROKER_URL)")
    if missing := tools_missing():
        pytest.skip(f"fault tests need {', '.join(missing)}")
    stack = Stack(tmp_path_factory.mktemp("fault-stack"))
    try:
        stack.up()
        stack.seed = json.loads(stack.shell(SEED).strip().splitlines()[-1])
        yield stack
    except BaseException:
        print(stack.diagnostics())
        raise
    finally:
        stack.close()


@pytest.fixture(autouse=True)
def _dead_processes_restarted(request):
    """Before each test, start again any app process an earlier test left dead (as docker's
    restart policy would), so one failure does not fail every test after it. Each test
    checks that the processes survived its own fault."""
    if "stack" in request.fixturenames:
        stack = request.getfixturevalue("stack")
        for name, process in list(stack.processes.items()):
            if not process.alive:
                stack.start(name)
        if not stack.redis.up_quietly():
            stack.redis.start()
    yield
