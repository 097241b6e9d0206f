from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from funnel.stages import Stage
from leads.models import Lead
from sales import services
from sales.errors import SalesConflict
from sales.models import Deal
from tests.factories import CampaignFactory
from tests.sales.factories import lead_in

pytestmark = pytest.mark.django_db


def test_a_deal_opens_for_a_prospect_owned_by_the_leads_owner(rep, manager, my_prospect):
    deal = services.deal_create(
        lead=my_prospect, title="  Pilot  ", amount=Decimal("1200.50"), created_by=manager
    )

    assert (deal.title, deal.amount, deal.status, deal.owner) == (
        "Pilot",
        Decimal("1200.50"),
        Deal.Status.OPEN,
        rep,
    )
    assert Lead.objects.get(pk=my_prospect.pk).last_activity_at == deal.created_at


@pytest.mark.parametrize(
    "amount", ["-1", "1000000000.01", "1e40", "NaN", "Infinity", "12.345", "abc", ""]
)
def test_negative_absurd_or_malformed_amounts_are_refused(rep, my_prospect, amount):
    with pytest.raises(ValidationError) as error:
        services.deal_create(lead=my_prospect, title="X", amount=amount, created_by=rep)
    assert "amount" in error.value.message_dict
    assert not Deal.objects.exists()


@pytest.mark.parametrize("stage", [Stage.LEAD, Stage.LOST, Stage.DISQUALIFIED])
def test_deals_are_only_for_prospects_and_customers(rep, stage):
    lead = lead_in(stage, owner=rep)
    with pytest.raises(SalesConflict, match="Qualify it first"):
        services.deal_create(lead=lead, title="X", amount=Decimal("10"), created_by=rep)
    assert not Deal.objects.exists()


def test_a_promo_code_is_matched_case_insensitively_and_kept_as_the_campaign_has_it(
    rep, my_prospect
):
    campaign = CampaignFactory(promo_code="SPRING25", discount_percent=Decimal("25"))

    deal = services.deal_create(
        lead=my_prospect, title="X", amount=Decimal("750"), created_by=rep, promo_code="spring25"
    )

    assert (deal.promotion, deal.promo_code) == (campaign, "SPRING25")


def test_an_unknown_promo_code_is_refused(rep, my_prospect):
    with pytest.raises(ValidationError) as error:
        services.deal_create(
            lead=my_prospect, title="X", amount=Decimal("1"), created_by=rep, promo_code="NOPE"
        )
    assert "promo_code" in error.value.message_dict
    assert not Deal.objects.exists()


def test_a_closed_deal_keeps_its_figures_but_its_title_can_be_corrected(rep, my_prospect):
    deal = services.deal_create(lead=my_prospect, title="Typo", amount=Decimal("5"), created_by=rep)
    services.deal_lose(deal_id=deal.pk, actor=rep, reason="No budget")

    with pytest.raises(SalesConflict):
        services.deal_update(deal_id=deal.pk, actor=rep, amount=Decimal("9"))
    fixed = services.deal_update(deal_id=deal.pk, actor=rep, title="Fixed")

    assert (fixed.title, fixed.amount) == ("Fixed", Decimal("5.00"))
