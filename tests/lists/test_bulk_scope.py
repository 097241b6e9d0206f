"""A bulk action acts only on leads the user may edit: posted ids never widen the scope,
"all matching" is the filter re-read on the server, and the visible rest is reported."""

import pytest

from funnel.stages import Stage
from leads.models import Lead
from lists.models import BulkAction
from tests import factories

pytestmark = pytest.mark.django_db


def test_ids_outside_the_scope_are_ignored_and_not_counted(bulk, rep, other_rep):
    mine = factories.LeadFactory(owner=rep)
    theirs = factories.LeadFactory(owner=other_rep)

    bulk(rep, action="move", to_stage="prospect", leads=[mine, theirs])

    assert Lead.objects.get(pk=mine.pk).stage == Stage.PROSPECT
    assert Lead.objects.get(pk=theirs.pk).stage == Stage.LEAD
    action = BulkAction.objects.get()
    # The other rep's lead is invisible to this rep: not even mentioned.
    assert (action.total, action.succeeded, action.refused, action.report) == (1, 1, 0, [])


def test_visible_but_not_editable_leads_are_refused_one_by_one(bulk, rep):
    pool = factories.LeadFactory(owner=None, first_name="Pat", last_name="Pool")
    bulk(rep, action="move", to_stage="prospect", leads=[pool])
    assert Lead.objects.get(pk=pool.pk).stage == Stage.LEAD
    assert BulkAction.objects.get().report == [
        {"id": pool.pk, "name": "Pat Pool", "why": "You may see this lead but not change it."}
    ]


def test_all_matching_is_the_filter_under_the_users_scope(bulk, rep, other_rep):
    match = factories.LeadFactory(owner=rep, company="Acme", first_name="Acme")
    factories.LeadFactory(owner=rep, first_name="Zed", last_name="Zed", company="Other")
    factories.LeadFactory(owner=other_rep, first_name="Acme", company="Acme")

    bulk(rep, action="move", to_stage="prospect", all_matching="on", query="search=Acme&owner=me")

    assert list(Lead.objects.filter(stage=Stage.PROSPECT).values_list("pk", flat=True)) == [
        match.pk
    ]


def test_a_user_without_a_role_acts_on_nothing(bulk, lead):
    nobody = factories.UserFactory()
    bulk(nobody, action="move", to_stage="prospect", all_matching="on")
    assert Lead.objects.get(pk=lead.pk).stage == Stage.LEAD
    assert BulkAction.objects.get().total == 0


def test_no_selection_is_a_clear_error(bulk, manager):
    response = bulk(manager, action="move", to_stage="prospect")
    assert response.status_code == 400
    assert "Tick at least one lead" in response.content.decode()


def test_garbage_ids_are_a_clear_error(login, manager):
    from django.urls import reverse

    response = login(manager).post(
        reverse("lists:bulk-start", args=["list"]),
        {"action": "move", "to_stage": "prospect", "lead": ["1", "x"]},
    )
    assert response.status_code == 400


def test_an_unknown_list_is_404(login, manager):
    from django.urls import reverse

    response = login(manager).post(reverse("lists:bulk-start", args=["nope"]), {})
    assert response.status_code == 404
