"""A rep claims an unassigned lead: under a cap of open claims, with history, from the
list and the lead page; over the cap or owned by someone else is a conflict."""

import pytest
from django.urls import reverse

from funnel.stages import Stage
from leads.models import ChangeSource, Lead, LeadChange
from sales import services
from sales.errors import SalesConflict
from sales.models import OwnerChange
from tests.factories import LeadFactory
from tests.sales.factories import lead_in

pytestmark = pytest.mark.django_db


def test_a_rep_claims_an_unassigned_lead(rep):
    lead = LeadFactory(owner=None)
    services.lead_claim(lead_id=lead.pk, rep=rep)
    assert Lead.objects.get(pk=lead.pk).owner == rep
    assert OwnerChange.objects.get(lead=lead).kind == "claimed"
    change = LeadChange.objects.get(lead=lead, field="owner")
    assert (change.old_value, change.new_value, change.source) == (None, str(rep.pk), "api")


def test_the_cap_of_open_claims(rep, settings):
    settings.FUNNEL_MAX_OPEN_CLAIMS = 2
    first, second, third = (LeadFactory(owner=None) for _ in range(3))
    services.lead_claim(lead_id=first.pk, rep=rep)
    services.lead_claim(lead_id=second.pk, rep=rep)
    with pytest.raises(SalesConflict, match="2 open claims"):
        services.lead_claim(lead_id=third.pk, rep=rep)
    assert Lead.objects.get(pk=third.pk).owner is None
    assert services.open_claims_count(rep=rep) == 2


def test_a_claim_out_of_play_no_longer_counts(rep, manager, settings):
    from funnel.services import lead_transition
    from funnel.stages import Cause

    settings.FUNNEL_MAX_OPEN_CLAIMS = 1
    first, second = LeadFactory(owner=None), LeadFactory(owner=None)
    services.lead_claim(lead_id=first.pk, rep=rep)
    lead_transition(lead_id=first.pk, to_stage=Stage.DISQUALIFIED, cause=Cause.MANUAL)
    services.lead_claim(lead_id=second.pk, rep=rep)
    assert Lead.objects.get(pk=second.pk).owner == rep


def test_leads_given_by_a_manager_are_not_claims(rep, manager, settings):
    settings.FUNNEL_MAX_OPEN_CLAIMS = 1
    given = lead_in(Stage.PROSPECT, owner=None)
    services.lead_reassign(lead_id=given.pk, to_owner=rep, actor=manager)
    services.lead_claim(lead_id=LeadFactory(owner=None).pk, rep=rep)
    assert services.open_claims_count(rep=rep) == 1


def test_claim_from_the_list(client, rep, other_rep):
    pool = LeadFactory(owner=None, first_name="Pia", last_name="Pool")
    owned = LeadFactory(owner=rep)
    client.force_login(rep)
    html = client.get(reverse("leads:list")).content.decode()
    assert html.count(">Claim</button>") == 1
    assert reverse("sales:lead_claim", args=[pool.pk]) in html
    assert reverse("sales:lead_claim", args=[owned.pk]) not in html

    response = client.post(reverse("sales:lead_claim", args=[pool.pk]), {"return_to": "lead"})
    assert response.status_code == 302
    assert Lead.objects.get(pk=pool.pk).owner == rep
    assert LeadChange.objects.get(lead=pool, field="owner").source == ChangeSource.WEB


def test_claiming_someone_elses_lead_is_a_conflict_on_the_page(client, rep, other_rep):
    lead = LeadFactory(owner=None)
    services.lead_claim(lead_id=lead.pk, rep=other_rep)
    client.force_login(rep)
    # The lead is the other rep's now, so this rep cannot even see it: 404, as for none.
    response = client.post(reverse("sales:lead_claim", args=[lead.pk]), {"return_to": "lead"})
    assert response.status_code == 404


def test_over_the_cap_is_409_with_a_message(client, rep, settings):
    settings.FUNNEL_MAX_OPEN_CLAIMS = 1
    services.lead_claim(lead_id=LeadFactory(owner=None).pk, rep=rep)
    lead = LeadFactory(owner=None)
    client.force_login(rep)
    response = client.post(
        reverse("sales:lead_claim", args=[lead.pk]),
        {"return_to": "lead"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 409
    assert Lead.objects.get(pk=lead.pk).owner is None


def test_managers_are_not_offered_claims(client, manager):
    LeadFactory(owner=None)
    client.force_login(manager)
    assert ">Claim</button>" not in client.get(reverse("leads:list")).content.decode()
