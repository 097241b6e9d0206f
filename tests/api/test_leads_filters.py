from datetime import UTC, datetime, timedelta

import pytest

from funnel.services import lead_transition
from funnel.stages import Cause
from tests.api.clients import token_client
from tests.factories import CampaignFactory, LeadFactory

pytestmark = pytest.mark.django_db

UTC = UTC


def listed(client, **params):
    response = client.get("/api/v1/leads/", {"page_size": 100, **params})
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


def test_stage_filter_takes_one_or_several_stages(manager):
    lead = LeadFactory()
    prospect = LeadFactory()
    lost = LeadFactory()
    lead_transition(lead_id=prospect.pk, to_stage="prospect", cause=Cause.API)
    lead_transition(lead_id=lost.pk, to_stage="prospect", cause=Cause.API)
    lead_transition(lead_id=lost.pk, to_stage="lost", cause=Cause.API)
    client = token_client(manager)

    assert listed(client, stage="prospect") == {prospect.pk}
    assert listed(client, stage=["lead", "lost"]) == {lead.pk, lost.pk}
    assert listed(client, stage="customer") == set()


def test_owner_and_unassigned_filters(manager, rep, other_rep):
    mine = LeadFactory(owner=rep)
    theirs = LeadFactory(owner=other_rep)
    nobodys = LeadFactory()
    client = token_client(manager)

    assert listed(client, owner=rep.pk) == {mine.pk}
    assert listed(client, owner=other_rep.pk) == {theirs.pk}
    assert listed(client, unassigned="true") == {nobodys.pk}
    assert listed(client, unassigned="false") == {mine.pk, theirs.pk}
    assert listed(client, owner=999999) == set()


def test_a_rep_filtering_by_another_reps_id_gets_nothing(rep, other_rep):
    LeadFactory(owner=other_rep)

    assert listed(token_client(rep), owner=other_rep.pk) == set()


def test_source_campaign_filter(manager):
    spring, autumn = CampaignFactory(), CampaignFactory()
    from_spring = LeadFactory(source_campaign=spring)
    LeadFactory(source_campaign=autumn)
    LeadFactory()

    assert listed(token_client(manager), source_campaign=spring.pk) == {from_spring.pk}


def test_created_after_is_inclusive_and_created_before_exclusive(manager):
    def at(day, hour=0):
        return datetime(2025, 3, day, hour, tzinfo=UTC)

    feb = LeadFactory(created_at=at(1) - timedelta(days=1))
    first = LeadFactory(created_at=at(1))
    tenth = LeadFactory(created_at=at(10, 12))
    twentieth = LeadFactory(created_at=at(20))
    client = token_client(manager)

    assert listed(client, created_after="2025-03-01") == {first.pk, tenth.pk, twentieth.pk}
    assert listed(client, created_before="2025-03-01") == {feb.pk}
    assert listed(client, created_after="2025-03-01", created_before="2025-03-20") == {
        first.pk,
        tenth.pk,
    }
    assert listed(client, created_after="2025-03-10T12:00:00Z") == {tenth.pk, twentieth.pk}
    assert listed(client, created_before="2025-03-10T12:00:01+00:00") == {
        feb.pk,
        first.pk,
        tenth.pk,
    }


def test_filters_combine(manager, rep):
    campaign = CampaignFactory()
    hit = LeadFactory(owner=rep, source_campaign=campaign, company="Acme")
    LeadFactory(owner=rep, company="Acme")
    LeadFactory(source_campaign=campaign, company="Acme")

    found = listed(token_client(manager), owner=rep.pk, source_campaign=campaign.pk, search="acme")

    assert found == {hit.pk}


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("stage", "bogus"),
        ("owner", "abc"),
        ("owner", "1.5"),
        ("owner", "0"),
        ("owner", str(2**64)),
        ("source_campaign", "-3"),
        ("created_after", "yesterday"),
        ("created_after", "2025-13-01"),
        ("created_before", "99999-01-01"),
        ("search", "x" * 201),
        ("search", "nul\x00byte"),
    ],
)
def test_invalid_filter_values_are_400_naming_the_filter(manager, param, value):
    response = token_client(manager).get("/api/v1/leads/", {param: value})

    assert response.status_code == 400
    assert list(response.json()) == [param]
