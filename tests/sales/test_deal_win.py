from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from funnel.models import StageChange
from funnel.services import lead_transition
from funnel.stages import Cause, Stage
from leads.models import Lead
from sales import services
from sales.errors import SalesConflict
from sales.models import Deal
from tests.sales.factories import DealFactory, lead_in, won_deal

pytestmark = pytest.mark.django_db


def test_winning_a_prospects_deal_makes_it_a_customer_in_one_move(rep, my_prospect):
    deal = DealFactory(lead=my_prospect, amount=Decimal("2500.00"))

    won = services.deal_win(deal_id=deal.pk, actor=rep, cause=Cause.API)

    assert won.status == Deal.Status.WON
    assert won.closed_on == timezone.localdate()
    assert won.closed_at is not None
    lead = Lead.objects.get(pk=my_prospect.pk)
    assert lead.stage == Stage.CUSTOMER
    assert lead.became_customer_at == won.closed_at
    assert lead.last_activity_at == won.closed_at
    move = StageChange.objects.get(lead=lead, to_stage=Stage.CUSTOMER)
    assert (move.from_stage, move.cause, move.actor) == (Stage.PROSPECT, Cause.API, rep)
    assert deal.title in move.reason and "2,500.00" in move.reason


def test_a_customers_further_wins_are_repeat_business_without_a_move(rep, my_prospect):
    won_deal(my_prospect)
    moves_before = StageChange.objects.filter(lead=my_prospect).count()
    second = DealFactory(lead=Lead.objects.get(pk=my_prospect.pk))

    services.deal_win(deal_id=second.pk, actor=rep, cause=Cause.MANUAL)

    assert StageChange.objects.filter(lead=my_prospect).count() == moves_before
    assert Deal.objects.filter(lead=my_prospect, status=Deal.Status.WON).count() == 2


@pytest.mark.parametrize("status", [Deal.Status.WON, Deal.Status.LOST])
def test_closing_a_closed_deal_is_a_conflict_and_writes_nothing(rep, my_prospect, status):
    deal = DealFactory(lead=my_prospect)
    if status == Deal.Status.WON:
        services.deal_win(deal_id=deal.pk, actor=rep, cause=Cause.MANUAL)
    else:
        services.deal_lose(deal_id=deal.pk, actor=rep, reason="Budget")
    before = Deal.objects.get(pk=deal.pk)

    with pytest.raises(SalesConflict, match=f"already {status}"):
        services.deal_win(deal_id=deal.pk, actor=rep, cause=Cause.MANUAL)
    with pytest.raises(SalesConflict):
        services.deal_lose(deal_id=deal.pk, actor=rep, reason="Again")

    after = Deal.objects.get(pk=deal.pk)
    assert (after.status, after.closed_at, after.lost_reason) == (
        before.status,
        before.closed_at,
        before.lost_reason,
    )


@pytest.mark.parametrize("stage", [Stage.LOST, Stage.LEAD])
def test_a_deal_of_a_lead_that_is_not_a_prospect_or_customer_cannot_be_won(rep, stage):
    lead = lead_in(Stage.PROSPECT, owner=rep)
    deal = DealFactory(lead=lead)
    lead_transition(lead_id=lead.pk, to_stage=stage, cause=Cause.MANUAL)

    with pytest.raises(SalesConflict, match="Reopen it as a prospect"):
        services.deal_win(deal_id=deal.pk, actor=rep, cause=Cause.MANUAL)

    assert Deal.objects.get(pk=deal.pk).status == Deal.Status.OPEN
    assert Lead.objects.get(pk=lead.pk).stage == stage


def test_losing_the_last_open_deal_leaves_the_lead_where_it_is(rep, my_prospect):
    deal = DealFactory(lead=my_prospect)

    lost = services.deal_lose(deal_id=deal.pk, actor=rep, reason="Chose a competitor")

    assert (lost.status, lost.lost_reason) == (Deal.Status.LOST, "Chose a competitor")
    assert Lead.objects.get(pk=my_prospect.pk).stage == Stage.PROSPECT


def test_losing_needs_a_reason(rep, my_prospect):
    deal = DealFactory(lead=my_prospect)
    with pytest.raises(ValidationError):
        services.deal_lose(deal_id=deal.pk, actor=rep, reason="   ")
    assert Deal.objects.get(pk=deal.pk).status == Deal.Status.OPEN


def test_a_deal_cannot_close_in_the_future_or_before_it_opened(rep, my_prospect):
    deal = DealFactory(lead=my_prospect)
    with pytest.raises(ValidationError, match="future"):
        services.deal_win(
            deal_id=deal.pk,
            actor=rep,
            cause=Cause.MANUAL,
            closed_on=timezone.localdate() + timedelta(days=1),
        )
    with pytest.raises(ValidationError, match="cannot close earlier"):
        services.deal_win(
            deal_id=deal.pk,
            actor=rep,
            cause=Cause.MANUAL,
            closed_on=timezone.localdate() - timedelta(days=3),
        )
    assert Deal.objects.get(pk=deal.pk).status == Deal.Status.OPEN
    assert Lead.objects.get(pk=my_prospect.pk).stage == Stage.PROSPECT


def test_a_won_deal_cannot_be_deleted_but_an_open_one_can(rep, my_prospect):
    keep = won_deal(my_prospect)
    mistake = DealFactory(lead=Lead.objects.get(pk=my_prospect.pk))

    with pytest.raises(SalesConflict):
        services.deal_delete(deal_id=keep.pk, actor=rep)
    services.deal_delete(deal_id=mistake.pk, actor=rep)

    assert list(Deal.objects.values_list("pk", flat=True)) == [keep.pk]
