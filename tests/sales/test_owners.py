import pytest
from django.core.exceptions import ValidationError

from funnel.stages import Stage
from leads.models import Lead
from sales import services
from sales.errors import SalesConflict
from sales.models import Deal, OwnerChange
from tests.factories import MarketerFactory
from tests.sales.factories import DealFactory, TaskFactory, lead_in, won_deal

pytestmark = pytest.mark.django_db


def test_a_reassignment_is_recorded_and_open_work_follows_the_lead(
    manager, rep, other_rep, my_prospect
):
    won = won_deal(lead_in(Stage.PROSPECT, owner=rep))
    open_deal = DealFactory(lead=my_prospect)
    task = TaskFactory(lead=my_prospect)
    done_call = services.activity_create(
        lead=my_prospect, kind="call", subject="Hi", created_by=rep
    )

    services.lead_reassign(
        lead_id=my_prospect.pk, to_owner=other_rep, actor=manager, reason="Territory"
    )

    assert Lead.objects.get(pk=my_prospect.pk).owner == other_rep
    change = OwnerChange.objects.get(lead=my_prospect)
    assert (change.from_owner, change.to_owner, change.changed_by, change.kind, change.reason) == (
        rep,
        other_rep,
        manager,
        "reassigned",
        "Territory",
    )
    assert change.at is not None
    open_deal.refresh_from_db()
    task.refresh_from_db()
    done_call.refresh_from_db()
    assert (open_deal.owner, task.owner, done_call.owner) == (other_rep, other_rep, rep)
    # A won deal stays with whoever won it: it counted for their quota.
    assert Deal.objects.get(pk=won.pk).owner == rep


def test_reassigning_to_the_same_owner_records_nothing(manager, rep, my_prospect):
    services.lead_reassign(lead_id=my_prospect.pk, to_owner=rep, actor=manager)
    assert not OwnerChange.objects.exists()


def test_only_active_sales_reps_can_be_given_leads(manager, my_prospect):
    with pytest.raises(ValidationError):
        services.lead_reassign(lead_id=my_prospect.pk, to_owner=MarketerFactory(), actor=manager)
    assert not OwnerChange.objects.exists()


def test_a_rep_claims_an_unassigned_prospect_once(rep, other_rep, pool_prospect):
    services.lead_claim(lead_id=pool_prospect.pk, rep=rep)

    assert Lead.objects.get(pk=pool_prospect.pk).owner == rep
    assert OwnerChange.objects.get(lead=pool_prospect).kind == "claimed"
    with pytest.raises(SalesConflict, match="Another rep"):
        services.lead_claim(lead_id=pool_prospect.pk, rep=other_rep)
    assert Lead.objects.get(pk=pool_prospect.pk).owner == rep


@pytest.mark.parametrize("stage", [Stage.CUSTOMER, Stage.LOST, Stage.DISQUALIFIED])
def test_only_leads_in_play_can_be_claimed(rep, stage):
    # Issue 13 opened claims to unassigned leads (not only prospects); what is out of play
    # (won, lost, dropped) stays a manager's to assign.
    lead = lead_in(stage, owner=None)
    with pytest.raises(SalesConflict, match="Only leads and prospects"):
        services.lead_claim(lead_id=lead.pk, rep=rep)
    assert Lead.objects.get(pk=lead.pk).owner is None


def test_automatic_assignment_is_recorded_too(rep, pool_prospect):
    assigned = services.prospects_assign_owner(lead_ids=[pool_prospect.pk])
    assert assigned == {pool_prospect.pk: rep.pk}
    change = OwnerChange.objects.get(lead=pool_prospect)
    assert (change.kind, change.to_owner, change.changed_by) == ("assigned", rep, None)


def test_the_api_reassigns_and_the_timeline_shows_it(api, manager, rep, other_rep, my_prospect):
    response = api(manager).post(
        f"/api/v1/leads/{my_prospect.pk}/owner/",
        {"owner": other_rep.pk, "reason": "Coverage"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["owner"] == other_rep.pk

    timeline = api(manager).get(f"/api/v1/leads/{my_prospect.pk}/timeline/").json()
    entry = next(e for e in timeline["results"] if e["kind"] == "owner_change")
    assert entry["summary"] == f"Owner reassigned: {rep.username} → {other_rep.username}"
    assert entry["actor"] == manager.username


def test_reassigning_to_a_marketer_is_a_400(api, manager, my_prospect):
    marketer = MarketerFactory()
    response = api(manager).post(
        f"/api/v1/leads/{my_prospect.pk}/owner/", {"owner": marketer.pk}, format="json"
    )
    assert response.status_code == 400
    assert Lead.objects.get(pk=my_prospect.pk).owner_id != marketer.pk
