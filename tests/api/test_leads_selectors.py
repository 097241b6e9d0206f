"""THE visibility rule (leads.selectors), checked over the whole cast of users."""

import pytest

from leads.models import Lead, Prospect
from leads.selectors import (
    lead_is_deletable_by,
    lead_is_editable_by,
    leads_creatable_by,
    leads_editable_by,
    leads_visible_to,
)
from tests.factories import LeadFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(manager, marketer, rep, other_rep):
    superuser = UserFactory(is_superuser=True)
    return {
        "manager": manager,
        "superuser": superuser,
        "marketer": marketer,
        "rep": rep,
        "other_rep": other_rep,
        "nobody": UserFactory(),
    }


@pytest.fixture
def leads(rep, other_rep):
    return {
        "rep's": LeadFactory(owner=rep),
        "other rep's": LeadFactory(owner=other_rep),
        "unassigned": LeadFactory(),
    }


EXPECTED_VISIBLE = {
    "manager": {"rep's", "other rep's", "unassigned"},
    "superuser": {"rep's", "other rep's", "unassigned"},
    "marketer": {"rep's", "other rep's", "unassigned"},
    "rep": {"rep's", "unassigned"},
    "other_rep": {"other rep's", "unassigned"},
    "nobody": set(),
}
EXPECTED_EDITABLE = {
    "manager": {"rep's", "other rep's", "unassigned"},
    "superuser": {"rep's", "other rep's", "unassigned"},
    "marketer": {"rep's", "other rep's", "unassigned"},
    "rep": {"rep's"},
    "other_rep": {"other rep's"},
    "nobody": set(),
}


def names(queryset, leads):
    ids = set(queryset.values_list("pk", flat=True))
    return {name for name, lead in leads.items() if lead.pk in ids}


@pytest.mark.parametrize("who", EXPECTED_VISIBLE)
def test_visible_and_editable_sets(cast, leads, who):
    user = cast[who]

    assert names(leads_visible_to(user), leads) == EXPECTED_VISIBLE[who]
    assert names(leads_editable_by(user), leads) == EXPECTED_EDITABLE[who]


@pytest.mark.parametrize("who", EXPECTED_VISIBLE)
def test_the_one_lead_predicate_agrees_with_the_queryset(cast, leads, who):
    user = cast[who]
    editable = set(leads_editable_by(user).values_list("pk", flat=True))

    for lead in leads.values():
        assert lead_is_editable_by(user, lead=lead) == (lead.pk in editable)


@pytest.mark.parametrize("who", EXPECTED_VISIBLE)
def test_only_managers_delete_and_every_role_creates(cast, leads, who):
    user = cast[who]

    assert lead_is_deletable_by(user, lead=leads["unassigned"]) == (who in {"manager", "superuser"})
    assert leads_creatable_by(user) == (who != "nobody")


def test_anonymous_sees_nothing(leads):
    from django.contrib.auth.models import AnonymousUser

    assert not leads_visible_to(AnonymousUser()).exists()
    assert not leads_editable_by(AnonymousUser()).exists()


def test_a_narrower_queryset_stays_narrow(rep, leads):
    from funnel.services import lead_transition
    from funnel.stages import Cause

    lead_transition(lead_id=leads["unassigned"].pk, to_stage="prospect", cause=Cause.API)

    visible = leads_visible_to(rep, queryset=Prospect.objects.all())

    assert list(visible.values_list("pk", flat=True)) == [leads["unassigned"].pk]
    assert list(leads_visible_to(rep, queryset=Lead.objects.filter(owner=rep))) == [leads["rep's"]]


def test_selectors_cost_one_query_for_roles_then_one_for_the_rows(
    rep, leads, django_assert_num_queries
):
    with django_assert_num_queries(2):  # the user's groups, then the leads
        assert len(list(leads_visible_to(rep))) == 2
    with django_assert_num_queries(1):  # groups are cached on the user
        assert len(list(leads_editable_by(rep))) == 1
    with django_assert_num_queries(0):
        assert lead_is_editable_by(rep, lead=leads["rep's"])
