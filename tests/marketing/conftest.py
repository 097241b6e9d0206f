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
