"""The visibility rule through the API: no list leaks a foreign row, a foreign detail is 404,
a visible lead one may not change is 403."""

import pytest

from funnel.services import lead_transition
from funnel.stages import Cause, Stage
from tests.api.clients import token_client
from tests.factories import LeadFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST_URLS = ["/api/v1/leads/", "/api/v1/prospects/", "/api/v1/customers/"]


@pytest.fixture
def book(rep, other_rep):
    """One lead of each kind of ownership in each listed stage."""
    leads = {}
    for stage in (Stage.LEAD, Stage.PROSPECT, Stage.CUSTOMER):
        for owner_name, owner in (("mine", rep), ("theirs", other_rep), ("nobody", None)):
            lead = LeadFactory(owner=owner)
            if stage != Stage.LEAD:
                lead_transition(lead_id=lead.pk, to_stage=Stage.PROSPECT, cause=Cause.MANUAL)
            if stage == Stage.CUSTOMER:
                lead_transition(lead_id=lead.pk, to_stage=Stage.CUSTOMER, cause=Cause.MANUAL)
            leads[(stage, owner_name)] = lead
    return leads


def listed_ids(client, url):
    return {row["id"] for row in client.get(url, {"page_size": 100}).json()["results"]}


def ids(book, stages, owners):
    return {lead.pk for (stage, owner), lead in book.items() if stage in stages and owner in owners}


@pytest.mark.parametrize("url", LIST_URLS)
def test_a_rep_lists_own_and_unassigned_leads_only(rep, book, url):
    stages = {
        "/api/v1/leads/": {Stage.LEAD, Stage.PROSPECT, Stage.CUSTOMER},
        "/api/v1/prospects/": {Stage.PROSPECT},
        "/api/v1/customers/": {Stage.CUSTOMER},
    }[url]

    assert listed_ids(token_client(rep), url) == ids(book, stages, {"mine", "nobody"})


@pytest.mark.parametrize("who", ["manager", "marketer"])
def test_managers_and_marketing_list_everything(who, book, request):
    client = token_client(request.getfixturevalue(who))

    assert listed_ids(client, "/api/v1/leads/") == {lead.pk for lead in book.values()}
    assert listed_ids(client, "/api/v1/prospects/") == ids(
        book, {Stage.PROSPECT}, {"mine", "theirs", "nobody"}
    )


def test_a_user_without_a_role_sees_nothing(book):
    client = token_client(UserFactory())

    for url in LIST_URLS:
        assert listed_ids(client, url) == set()
    assert client.get(f"/api/v1/leads/{book[(Stage.LEAD, 'nobody')].pk}/").status_code == 404


@pytest.mark.parametrize("stage", [Stage.LEAD, Stage.PROSPECT, Stage.CUSTOMER])
def test_another_reps_lead_is_404_everywhere(rep, book, stage):
    client = token_client(rep)
    theirs = book[(stage, "theirs")]
    stage_url = {Stage.PROSPECT: "prospects", Stage.CUSTOMER: "customers"}.get(stage, "leads")

    for url in (f"/api/v1/leads/{theirs.pk}/", f"/api/v1/{stage_url}/{theirs.pk}/"):
        assert client.get(url).status_code == 404
    assert client.patch(f"/api/v1/leads/{theirs.pk}/", {"company": "X"}).status_code == 404
    assert client.delete(f"/api/v1/leads/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/v1/leads/{theirs.pk}/history/").status_code == 404
    move = client.post(f"/api/v1/leads/{theirs.pk}/transition/", {"to": "lost"})
    assert move.status_code == 404
    theirs.refresh_from_db()
    assert theirs.stage == stage


def test_a_rep_reads_but_cannot_change_an_unassigned_lead(rep, book):
    client = token_client(rep)
    pool = book[(Stage.LEAD, "nobody")]

    assert client.get(f"/api/v1/leads/{pool.pk}/").status_code == 200
    assert client.get(f"/api/v1/leads/{pool.pk}/history/").status_code == 200
    edit = client.patch(f"/api/v1/leads/{pool.pk}/", {"company": "Mine now"})
    move = client.post(f"/api/v1/leads/{pool.pk}/transition/", {"to": "prospect"})

    assert (edit.status_code, move.status_code) == (403, 403)
    assert edit.json() == {"detail": "You can see this lead but not change it: it is not yours."}
    pool.refresh_from_db()
    assert pool.company != "Mine now" and pool.stage == Stage.LEAD


def test_a_rep_changes_and_moves_their_own_lead(rep, book):
    client = token_client(rep)
    mine = book[(Stage.LEAD, "mine")]

    assert client.patch(f"/api/v1/leads/{mine.pk}/", {"company": "Mine"}).status_code == 200
    assert (
        client.post(f"/api/v1/leads/{mine.pk}/transition/", {"to": "prospect"}).status_code == 200
    )


def test_marketing_changes_and_moves_any_lead(marketer, book):
    client = token_client(marketer)
    theirs = book[(Stage.LEAD, "theirs")]

    assert client.patch(f"/api/v1/leads/{theirs.pk}/", {"company": "M"}).status_code == 200
    move = client.post(f"/api/v1/leads/{theirs.pk}/transition/", {"to": "disqualified"})
    assert move.status_code == 200
