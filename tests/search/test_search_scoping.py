"""Find anything shows each person only what they may see: leads as `leads_visible_to`,
campaigns to marketing and managers, deals as `deals_visible_to` (a deal on a lead the
rep cannot open is listed without its lead)."""

import pytest

from search.selectors import search_everything
from tests.factories import CampaignFactory, LeadFactory
from tests.sales.factories import DealFactory, prospect

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(rep, other_rep):
    mine = prospect(owner=rep, company="Zenith Mine")
    theirs = prospect(owner=other_rep, company="Zenith Theirs")
    pool = LeadFactory(company="Zenith Pool", owner=None)
    CampaignFactory(name="Zenith launch")
    return {
        "mine": mine,
        "theirs": theirs,
        "pool": pool,
        "my_deal": DealFactory(lead=mine, title="Zenith renewal"),
        "their_deal": DealFactory(lead=theirs, title="Zenith upsell"),
        # A deal the rep owns on a lead another rep owns: the deal is theirs to see,
        # the lead is not.
        "borrowed": DealFactory(lead=theirs, owner=rep, title="Zenith borrowed"),
    }


def test_rep(rep, world):
    results = search_everything(user=rep, text="zenith")

    assert {lead.pk for lead in results.leads.rows} == {world["mine"].pk, world["pool"].pk}
    assert not results.shows_campaigns and results.campaigns.rows == []
    deals = {deal.title: deal.lead_visible for deal in results.deals.rows}
    assert deals == {"Zenith renewal": True, "Zenith borrowed": False}


def test_marketer(marketer, world):
    results = search_everything(user=marketer, text="zenith")

    assert len(results.leads.rows) == 3
    assert [campaign.name for campaign in results.campaigns.rows] == ["Zenith launch"]
    assert not results.shows_deals and results.deals.rows == []


def test_manager(manager, world):
    results = search_everything(user=manager, text="zenith")

    assert len(results.leads.rows) == 3
    assert len(results.campaigns.rows) == 1
    assert len(results.deals.rows) == 3


def test_user_without_role(django_user_model, world):
    nobody = django_user_model.objects.create_user("nobody", password="x")

    results = search_everything(user=nobody, text="zenith")

    assert results.count == 0 and not results.shows_campaigns and not results.shows_deals


def test_too_short_or_blank_finds_nothing(manager, world):
    assert search_everything(user=manager, text=" z ").count == 0
    assert search_everything(user=manager, text="").count == 0
