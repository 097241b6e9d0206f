"""The one writer of a deal's stage: history, no-ops, refusals that write nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from funnel.stages import Cause, Stage
from leads.models import Lead
from sales.models import Deal, DealStageChange, LostReason
from sales.pipeline.services import DealClosed, deal_move
from tests.sales.factories import DealFactory, stage_named

pytestmark = pytest.mark.django_db


def _history(deal):
    return list(
        DealStageChange.objects.filter(deal=deal)
        .order_by("at", "id")
        .values_list("from_stage__name", "to_stage__name")
    )


def test_a_move_records_from_to_actor_amount_and_close_date(rep, my_prospect):
    deal = DealFactory(
        lead=my_prospect, amount=Decimal("1200.00"), expected_close_on=date(2027, 4, 30)
    )
    moved = deal_move(deal_id=deal.pk, to_stage="Demo", actor=rep, cause=Cause.MANUAL)

    assert moved.stage.name == "Demo" and moved.status == Deal.Status.OPEN
    change = DealStageChange.objects.filter(deal=deal).latest("id")
    assert (change.from_stage.name, change.to_stage.name) == ("Qualification", "Demo")
    assert change.actor == rep
    assert change.amount == Decimal("1200.00")
    assert change.expected_close_on == date(2027, 4, 30)
    assert change.from_stage_entered_at == deal.stage_changed_at
    assert _history(deal) == [(None, "Qualification"), ("Qualification", "Demo")]


def test_a_move_to_the_current_stage_does_nothing(rep, my_prospect):
    deal = DealFactory(lead=my_prospect)
    deal_move(deal_id=deal.pk, to_stage="Qualification", actor=rep, cause=Cause.MANUAL)
    assert _history(deal) == [(None, "Qualification")]


def test_an_unknown_stage_is_a_field_error_and_writes_nothing(rep, my_prospect):
    deal = DealFactory(lead=my_prospect)
    with pytest.raises(ValidationError) as error:
        deal_move(deal_id=deal.pk, to_stage="Maybe", actor=rep, cause=Cause.MANUAL)
    assert "Unknown stage 'Maybe'" in str(error.value.message_dict["to_stage"])
    assert _history(deal) == [(None, "Qualification")]


def test_winning_makes_the_prospect_a_customer_through_the_lead_writer(rep, my_prospect):
    deal = DealFactory(lead=my_prospect)
    won = deal_move(deal_id=deal.pk, to_stage="Won", actor=rep, cause=Cause.MANUAL)

    assert won.status == Deal.Status.WON and won.closed_on == date(2027, 3, 31)
    lead = Lead.objects.get(pk=my_prospect.pk)
    assert lead.stage == Stage.CUSTOMER
    assert lead.stage_changes.filter(to_stage=Stage.CUSTOMER).count() == 1


def test_losing_asks_a_reason_from_the_managed_list(rep, my_prospect):
    deal = DealFactory(lead=my_prospect)
    with pytest.raises(ValidationError) as error:
        deal_move(deal_id=deal.pk, to_stage="Lost", actor=rep, cause=Cause.MANUAL)
    assert "lost_reason" in error.value.message_dict
    assert Deal.objects.get(pk=deal.pk).status == Deal.Status.OPEN

    price = LostReason.objects.get(name="Price")
    lost = deal_move(
        deal_id=deal.pk, to_stage="Lost", actor=rep, cause=Cause.MANUAL, lost_reason=price.pk
    )
    assert (lost.status, lost.loss_reason, lost.lost_reason) == ("lost", price, "Price")
    assert DealStageChange.objects.filter(deal=deal).latest("id").lost_reason == price
    assert Lead.objects.get(pk=my_prospect.pk).stage == Stage.PROSPECT


def test_a_retired_reason_is_not_offered(rep, my_prospect):
    LostReason.objects.filter(name="Timing").update(is_active=False)
    deal = DealFactory(lead=my_prospect)
    with pytest.raises(ValidationError):
        deal_move(
            deal_id=deal.pk, to_stage="Lost", actor=rep, cause=Cause.MANUAL, lost_reason="Timing"
        )


def test_moves_out_of_a_closed_deal_are_refused(rep, manager, my_prospect):
    deal = DealFactory(lead=my_prospect)
    deal_move(deal_id=deal.pk, to_stage="Won", actor=rep, cause=Cause.MANUAL)
    with pytest.raises(DealClosed):
        deal_move(deal_id=deal.pk, to_stage="Demo", actor=manager, cause=Cause.MANUAL)
    with pytest.raises(PermissionDenied):
        deal_move(
            deal_id=deal.pk, to_stage="Demo", actor=rep, cause=Cause.MANUAL, reopen=True, reason="x"
        )
    with pytest.raises(ValidationError):
        deal_move(deal_id=deal.pk, to_stage="Demo", actor=manager, cause=Cause.MANUAL, reopen=True)
    assert Deal.objects.get(pk=deal.pk).status == Deal.Status.WON
    assert len(_history(deal)) == 2


def test_the_manager_reopen_path_moves_a_closed_deal_back(manager, rep, my_prospect):
    deal = DealFactory(lead=my_prospect)
    deal_move(deal_id=deal.pk, to_stage="Lost", actor=rep, cause=Cause.MANUAL, lost_reason="Timing")
    reopened = deal_move(
        deal_id=deal.pk,
        to_stage="Negotiation",
        actor=manager,
        cause=Cause.MANUAL,
        reopen=True,
        reason="They came back",
    )
    assert reopened.status == Deal.Status.OPEN
    assert reopened.closed_on is None and reopened.loss_reason is None
    assert _history(deal)[-1] == ("Lost", "Negotiation")


def test_a_negative_amount_is_refused_and_nothing_written(rep, my_prospect):
    deal = DealFactory(lead=my_prospect)
    with pytest.raises(ValidationError):
        deal_move(
            deal_id=deal.pk, to_stage="Won", actor=rep, cause=Cause.MANUAL, amount=Decimal("-1")
        )
    assert Deal.objects.get(pk=deal.pk).status == Deal.Status.OPEN
    assert len(_history(deal)) == 1


def test_the_confirmed_amount_goes_with_the_move(rep, my_prospect):
    deal = DealFactory(lead=my_prospect, amount=Decimal("100.00"))
    deal_move(
        deal_id=deal.pk, to_stage="Won", actor=rep, cause=Cause.MANUAL, amount=Decimal("90.00")
    )
    change = DealStageChange.objects.filter(deal=deal).latest("id")
    assert change.amount == Decimal("90.00") == Deal.objects.get(pk=deal.pk).amount


def test_the_stage_name_or_id_both_work(rep, my_prospect):
    deal = DealFactory(lead=my_prospect)
    deal_move(deal_id=deal.pk, to_stage=stage_named("Proposal").pk, actor=rep, cause=Cause.API)
    assert Deal.objects.get(pk=deal.pk).stage.name == "Proposal"
