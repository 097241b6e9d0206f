import importlib

import pytest

from config.celery import app as celery_app
from tests.api.clients import token_client


@pytest.fixture
def eager_tasks():
    """Run queued tasks in-process when their transaction commits (with
    `django_capture_on_commit_callbacks(execute=True)` or a transactional test)."""
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager = conf.task_eager_propagates = True
    yield
    conf.task_always_eager, conf.task_eager_propagates = saved


@pytest.fixture
def marketer_api(marketer):
    return token_client(marketer)


@pytest.fixture
def manager_api(manager):
    return token_client(manager)


@pytest.fixture
def rep_api(rep):
    return token_client(rep)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _scoring_rules_row(request, django_db_blocker):
    """Migration 0003 creates the scoring rules row, but a transactional test elsewhere in
    the run (browser, concurrency) flushes every table: put the row back the way the
    migration does, so each marketing test starts from a migrated database."""
    uses_db = request.node.get_closest_marker("django_db") is not None or {
        "db",
        "transactional_db",
    } & set(request.fixturenames)
    if uses_db:
        from django.apps import apps

        migration = importlib.import_module("marketing.migrations.0003_default_scoring_rules")
        request.getfixturevalue("django_db_setup")
        with django_db_blocker.unblock():
            migration.create_default_rules(apps, None)
    yield
