"""The lists show only what the user may see (leads.selectors) and only their stage."""

import pytest
from django.urls import reverse

from funnel.stages import Stage
from tests import factories
from tests.ui.helpers import listed_ids


@pytest.fixture
def cast(rep, other_rep, moved):
    return {
        "mine": factories.LeadFactory(owner=rep),
        "mine_prospect": moved(factories.LeadFactory(owner=rep), Stage.PROSPECT),
        "mine_customer": moved(factories.LeadFactory(owner=rep), Stage.PROSPECT, Stage.CUSTOMER),
        "unassigned": factories.LeadFactory(owner=None),
        "theirs": factories.LeadFactory(owner=other_rep),
        "theirs_prospect": moved(factories.LeadFactory(owner=other_rep), Stage.PROSPECT),
        "theirs_customer": moved(
            factories.LeadFactory(owner=other_rep), Stage.PROSPECT, Stage.CUSTOMER
        ),
    }


def ids(cast, *names):
    return {cast[name].pk for name in names}


def test_a_rep_sees_own_and_unassigned_leads_only(login, rep, cast):
    response = login(rep).get(reverse("leads:list"))
    assert set(listed_ids(response)) == ids(
        cast, "mine", "mine_prospect", "mine_customer", "unassigned"
    )
    html = response.content.decode()
    for name in ("theirs", "theirs_prospect", "theirs_customer"):
        assert cast[name].email not in html


def test_a_reps_prospects_and_customers_lists(login, rep, cast):
    client = login(rep)
    assert set(listed_ids(client.get(reverse("leads:prospects")))) == ids(cast, "mine_prospect")
    assert set(listed_ids(client.get(reverse("leads:customers")))) == ids(cast, "mine_customer")


@pytest.mark.parametrize("role", ["manager", "marketer"])
def test_managers_and_marketing_see_everything(request, login, role, cast):
    client = login(request.getfixturevalue(role))
    assert set(listed_ids(client.get(reverse("leads:list")))) == {lead.pk for lead in cast.values()}
    assert set(listed_ids(client.get(reverse("leads:prospects")))) == ids(
        cast, "mine_prospect", "theirs_prospect"
    )
    assert set(listed_ids(client.get(reverse("leads:customers")))) == ids(
        cast, "mine_customer", "theirs_customer"
    )


def test_filtering_by_another_reps_id_does_not_leak(login, rep, other_rep, cast):
    response = login(rep).get(reverse("leads:list"), {"owner": other_rep.pk})
    # Not one of the rep's choices: the filter is refused and the list stays scoped.
    assert set(listed_ids(response)) == ids(
        cast, "mine", "mine_prospect", "mine_customer", "unassigned"
    )
    assert other_rep.username not in response.content.decode()


def test_a_rep_is_not_offered_other_owners(login, rep, other_rep, manager, cast):
    rep_html = login(rep).get(reverse("leads:list")).content.decode()
    # An owner option, not a row's checkbox (whose value is a lead id).
    assert f'<option value="{other_rep.pk}"' not in rep_html
    manager_html = login(manager).get(reverse("leads:list")).content.decode()
    assert f'<option value="{other_rep.pk}">{other_rep.username}</option>' in manager_html
