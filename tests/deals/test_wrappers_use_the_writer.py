"""Win, lose, reopen and create keep working, now as moves through the one writer."""

from decimal import Decimal

import pytest

from funnel.stages import Cause
from sales import services
from sales.models import DealStageChange, LostReason
from tests.sales.factories import DealFactory

pytestmark = pytest.mark.django_db


def _history(deal):
    return list(
        DealStageChange.objects.filter(deal=deal)
        .order_by("id")
        .values_list("from_stage__name", "to_stage__name", "cause")
    )


def test_create_starts_the_history_in_the_first_stage(rep, my_prospect):
    deal = services.deal_create(
        lead=my_prospect, title="Renewal", amount=Decimal("10"), created_by=rep
    )
    assert deal.stage.name == "Qualification"
    assert _history(deal) == [(None, "Qualification", "manual")]


def test_create_in_a_later_open_stage(rep, my_prospect):
    deal = services.deal_create(
        lead=my_prospect, title="Hot", amount=Decimal("10"), created_by=rep, stage="Proposal"
    )
    assert deal.stage.name == "Proposal"


def test_win_is_a_move_into_won(rep, my_prospect):
    deal = DealFactory(lead=my_prospect)
    services.deal_win(deal_id=deal.pk, actor=rep, cause=Cause.API)
    assert _history(deal)[-1] == ("Qualification", "Won", "api")


def test_lose_with_words_only_files_them_under_other(rep, my_prospect):
    deal = DealFactory(lead=my_prospect)
    lost = services.deal_lose(deal_id=deal.pk, actor=rep, reason="They went quiet")
    assert lost.loss_reason.name == "Other" and lost.lost_reason == "They went quiet"


def test_lose_with_words_naming_a_reason_picks_it(rep, my_prospect):
    deal = DealFactory(lead=my_prospect)
    lost = services.deal_lose(deal_id=deal.pk, actor=rep, reason="competitor")
    assert lost.loss_reason == LostReason.objects.get(name="Competitor")


def test_reopen_goes_back_to_the_stage_it_was_won_from(manager, rep, my_prospect):
    deal = DealFactory(lead=my_prospect)
    services.deal_update(deal_id=deal.pk, actor=rep, title="x")
    from sales.pipeline.services import deal_move

    deal_move(deal_id=deal.pk, to_stage="Negotiation", actor=rep, cause=Cause.MANUAL)
    services.deal_win(deal_id=deal.pk, actor=rep, cause=Cause.MANUAL)
    reopened = services.deal_reopen(deal_id=deal.pk, actor=manager, reason="Entered by mistake")
    assert reopened.stage.name == "Negotiation" and reopened.status == "open"
    assert _history(deal)[-1] == ("Won", "Negotiation", "manual")
