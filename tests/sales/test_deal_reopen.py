"""A manager reopens a won deal entered by mistake, with a reason: the deal is open again,
who and why is on the deal's timeline, and the lead's stage is left to a separate move."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from funnel.stages import Stage
from leads.models import Lead
from sales import services
from sales.errors import SalesConflict
from sales.models import Activity, Deal
from tests.sales.factories import DealFactory, won_deal

pytestmark = pytest.mark.django_db


def test_a_manager_reopens_a_won_deal_and_the_lead_stays_a_customer(manager, my_prospect):
    deal = won_deal(my_prospect, amount="1200.00")

    reopened = services.deal_reopen(deal_id=deal.pk, actor=manager, reason="Wrong lead")

    reopened.refresh_from_db()
    assert (reopened.status, reopened.closed_on, reopened.closed_at) == (
        Deal.Status.OPEN,
        None,
        None,
    )
    audit = Activity.objects.get(deal=deal, kind=Activity.Kind.NOTE)
    assert audit.created_by == manager
    assert "Wrong lead" in audit.body and "1,200.00" in audit.body
    assert Lead.objects.get(pk=my_prospect.pk).stage == Stage.CUSTOMER


def test_a_rep_cannot_reopen(rep, my_prospect):
    deal = won_deal(my_prospect)
    with pytest.raises(PermissionDenied):
        services.deal_reopen(deal_id=deal.pk, actor=rep, reason="Oops")
    assert Deal.objects.get(pk=deal.pk).status == Deal.Status.WON


def test_a_reason_is_required_and_only_won_deals_reopen(manager, my_prospect):
    deal = won_deal(my_prospect)
    with pytest.raises(ValidationError):
        services.deal_reopen(deal_id=deal.pk, actor=manager, reason="  ")
    open_deal = DealFactory(lead=Lead.objects.get(pk=my_prospect.pk))
    with pytest.raises(SalesConflict):
        services.deal_reopen(deal_id=open_deal.pk, actor=manager, reason="x")


def test_the_lead_page_offers_reopen_to_managers_only(client, manager, rep, my_prospect):
    deal = won_deal(my_prospect)
    url = reverse("sales:deal_reopen", args=[deal.pk])
    client.force_login(rep)
    assert url not in client.get(reverse("leads:detail", args=[my_prospect.pk])).content.decode()
    assert client.post(url, {"reason": "x"}).status_code == 403

    client.force_login(manager)
    html = client.get(reverse("leads:detail", args=[my_prospect.pk])).content.decode()
    assert url in html and "move them back to prospect" in html
    response = client.post(url, {"return_to": "lead", "reason": "Booked twice"}, follow=True)
    assert Deal.objects.get(pk=deal.pk).status == Deal.Status.OPEN
    assert "still a customer" in response.content.decode()


def test_the_api_reopens_for_managers_and_refuses_reps(api, manager, rep, my_prospect):
    deal = won_deal(my_prospect)
    url = f"/api/v1/deals/{deal.pk}/reopen/"
    assert api(rep).post(url, {"reason": "x"}, format="json").status_code == 403
    assert api(manager).post(url, {}, format="json").status_code == 400
    done = api(manager).post(url, {"reason": "Wrong lead"}, format="json")
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "open"
    again = api(manager).post(url, {"reason": "Wrong lead"}, format="json")
    assert again.status_code == 409
