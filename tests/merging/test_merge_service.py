"""leads_merge: one survivor, every row of the other moves to it, the chosen values win
with field history (source merge), a record says who merged what, and the stage does not
move."""

from datetime import UTC, datetime

from funnel.models import StageChange
from leads.merging.services import leads_merge
from leads.models import Lead, LeadChange, LeadEmailAlias, LeadMerge
from marketing.models import Touch
from sales.models import Activity, Deal, Enrolment
from tests.marketing.factories import TouchFactory
from tests.merging.conftest import NOW
from tests.sales.factories import ActivityFactory, DealFactory, EnrolmentFactory


def test_rows_move_to_the_survivor_and_the_other_is_gone(duplicates, manager):
    survivor, merged = duplicates
    TouchFactory(lead=merged)
    ActivityFactory(lead=merged, owner=None)
    DealFactory(lead=merged, owner=None)
    EnrolmentFactory(lead=merged)
    LeadChange.objects.create(
        lead=merged, field="phone", old_value="", new_value="+44 2", source="api"
    )

    record = leads_merge(survivor=survivor, merged=merged, field_choices={}, actor=manager, now=NOW)

    assert not Lead.objects.filter(pk=merged.pk).exists()
    for model in (Touch, Activity, Deal, Enrolment, StageChange):
        assert model.objects.filter(lead=survivor).exists(), model
    assert LeadChange.objects.filter(lead=survivor, field="phone", source="api").exists()
    assert record.merged_lead_id == merged.pk and record.merged_email == "ada@home.example"
    assert record.actor == manager and record.at == NOW
    assert record.moved["touch"] == 1 and record.moved["stage_changes"] == 1
    assert record.merged_values["first_name"] == "Augusta"


def test_chosen_values_win_with_history_and_the_rest_stays(duplicates, manager):
    survivor, merged = duplicates
    leads_merge(
        survivor=survivor,
        merged=merged,
        field_choices={"company": "merged", "first_name": "survivor", "phone": "merged"},
        actor=manager,
        now=NOW,
    )
    survivor.refresh_from_db()
    assert (survivor.first_name, survivor.company, survivor.phone) == (
        "Ada",
        "Analytical Engines",
        "+44 2",
    )
    history = LeadChange.objects.filter(lead=survivor, source="merge")
    assert {(c.field, c.old_value, c.new_value) for c in history} == {
        ("company", "", "Analytical Engines"),
        ("phone", "+44 1", "+44 2"),
    }
    assert all(c.actor == manager and c.at == NOW for c in history)


def test_stage_stays_and_milestones_take_the_earlier_of_both(duplicates, manager):
    survivor, merged = duplicates
    leads_merge(survivor=survivor, merged=merged, field_choices={}, actor=manager, now=NOW)
    survivor.refresh_from_db()
    assert survivor.stage == "prospect"
    assert survivor.stage_changed_at == datetime(2026, 4, 1, tzinfo=UTC)
    assert survivor.created_at == datetime(2026, 3, 1, tzinfo=UTC)
    assert survivor.became_disqualified_at == datetime(2026, 2, 1, tzinfo=UTC)
    absorbed = StageChange.objects.get(lead=survivor, to_stage="disqualified")
    assert absorbed.merged_from == merged.pk
    own = StageChange.objects.get(lead=survivor, to_stage="prospect")
    assert own.merged_from is None


def test_taking_the_other_address_keeps_both_reachable(duplicates, manager):
    survivor, merged = duplicates
    leads_merge(
        survivor=survivor, merged=merged, field_choices={"email": "merged"}, actor=manager, now=NOW
    )
    survivor.refresh_from_db()
    assert survivor.email == "ada@home.example"
    assert dict(LeadEmailAlias.objects.values_list("email", "lead")) == {
        "ada@work.example": survivor.pk
    }


def test_a_second_merge_carries_the_first_ones_aliases(duplicates, manager, rep):
    from tests.factories import LeadFactory

    survivor, merged = duplicates
    leads_merge(survivor=merged, merged=survivor, field_choices={}, actor=manager, now=NOW)
    third = LeadFactory(email="ada@third.example", owner=rep)
    leads_merge(survivor=third, merged=merged, field_choices={}, actor=manager, now=NOW)
    assert dict(LeadEmailAlias.objects.values_list("email", "lead")) == {
        "ada@work.example": third.pk,
        "ada@home.example": third.pk,
    }
    assert LeadMerge.objects.filter(survivor=third).count() == 2


def test_the_same_sequence_running_on_both_stops_on_the_merged_one(duplicates, manager):
    survivor, merged = duplicates
    ours = EnrolmentFactory(lead=survivor)
    theirs = EnrolmentFactory(lead=merged, sequence=ours.sequence)
    leads_merge(survivor=survivor, merged=merged, field_choices={}, actor=manager, now=NOW)
    theirs.refresh_from_db()
    assert theirs.lead_id == survivor.pk and theirs.status == "stopped"
    assert Enrolment.objects.filter(lead=survivor, status="active").count() == 1
