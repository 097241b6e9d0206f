"""A selection over FUNNEL_BULK_SYNC_LIMIT runs as a task queued on commit, in chunks,
with progress a page polls; running the task twice does the work once."""

import pytest
from django.urls import reverse

from funnel.models import StageChange
from funnel.stages import Stage
from leads.models import Lead
from lists import services
from lists.models import BulkAction
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_limits(settings, monkeypatch):
    settings.FUNNEL_BULK_SYNC_LIMIT = 2
    monkeypatch.setattr(services, "CHUNK_SIZE", 2)


def test_large_selection_is_queued_then_processed_in_chunks(
    bulk, login, manager, small_limits, django_capture_on_commit_callbacks
):
    factories.LeadFactory.create_batch(5)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = bulk(manager, action="move", to_stage="prospect", all_matching="on")
    action = BulkAction.objects.get()
    assert len(callbacks) == 1  # the task, published only after commit
    assert (action.status, action.total, action.processed) == ("queued", 5, 0)
    assert Lead.objects.filter(stage=Stage.PROSPECT).count() == 0
    body = response.content.decode()
    assert "0 of 5 done" in body and 'hx-trigger="every 1s"' in body

    services.bulk_action_run(bulk_action_id=action.pk)
    services.bulk_action_run(bulk_action_id=action.pk)  # a redelivered task: a no-op

    action.refresh_from_db()
    assert (action.status, action.processed, action.succeeded) == ("done", 5, 5)
    assert StageChange.objects.filter(to_stage=Stage.PROSPECT).count() == 5
    poll = login(manager).get(
        reverse("lists:bulk-action", args=[action.pk]), headers={"HX-Request": "true"}
    )
    assert "5 changed" in poll.content.decode()
    assert "every 1s" not in poll.content.decode()
    assert poll["HX-Trigger"] == "leads-changed"


def test_a_run_stopped_midway_resumes_after_the_last_chunk(manager, small_limits):
    leads = factories.LeadFactory.create_batch(3)
    action = BulkAction.objects.create(
        user=manager,
        list_kind="list",
        action="move",
        params={"to_stage": "prospect", "reason": ""},
        lead_ids=None,
        total=3,
        status="running",
        processed=2,
        succeeded=2,
        last_lead_id=leads[1].pk,
    )
    services.bulk_action_run(bulk_action_id=action.pk)
    action.refresh_from_db()
    assert (action.status, action.processed, action.succeeded) == ("done", 3, 3)
    # Only the lead after the cursor moved: the others were the earlier run's.
    assert list(Lead.objects.filter(stage=Stage.PROSPECT).values_list("pk", flat=True)) == [
        leads[2].pk
    ]


def test_someone_elses_action_is_not_found(login, manager, rep):
    action = BulkAction.objects.create(user=manager, list_kind="list", action="move")
    assert login(rep).get(reverse("lists:bulk-action", args=[action.pk])).status_code == 404
    page = login(manager).get(reverse("lists:bulk-action", args=[action.pk]))
    assert page.status_code == 200


def test_a_run_that_breaks_is_marked_failed_not_left_polling(manager, rep):
    lead = factories.LeadFactory()
    gone = factories.RepFactory()
    action = BulkAction.objects.create(
        user=manager, list_kind="list", action="assign", params={"owner": gone.pk}, total=1
    )
    gone.delete()  # the chosen rep left between the click and the task
    with pytest.raises(Exception, match="does not exist"):
        services.bulk_action_run(bulk_action_id=action.pk)
    action.refresh_from_db()
    assert action.status == "failed" and "does not exist" in action.error
    assert Lead.objects.get(pk=lead.pk).owner_id is None
