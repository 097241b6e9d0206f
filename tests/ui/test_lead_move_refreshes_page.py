"""After a stage move under htmx the whole lead page follows without a reload: the
breadcrumb's list, the deal form and cadence (sales panel) come out of band with the
panel; a manager's customer -> prospect move works from the page, a rep's is refused."""

from django.urls import reverse

from funnel.stages import Stage
from leads.models import Lead
from tests import factories


def move(client, lead, to_stage, reason="", **extra):
    return client.post(
        reverse("leads:transition", args=[lead.pk]),
        {"to_stage": to_stage, "reason": reason},
        **extra,
    )


def test_a_move_refreshes_breadcrumb_and_sales_panel_out_of_band(
    login, owned_lead, rep, htmx_headers
):
    response = move(login(rep), owned_lead, "prospect", headers=htmx_headers)
    html = response.content.decode()
    assert response.status_code == 200
    crumb = html[html.index('id="lead-breadcrumb"') :]
    assert crumb.index('hx-swap-oob="true"') < crumb.index("</nav>")
    assert f'href="{reverse("leads:prospects")}"' in crumb[: crumb.index("</nav>")]
    panel = html[html.index('id="lead-sales-panel"') :]
    assert panel.index('hx-swap-oob="true"') < panel.index(">")
    # A prospect may get deals: the "New deal" form arrives with the move.
    assert reverse("sales:deal_create", args=[owned_lead.pk]) in panel


def test_a_manager_moves_a_customer_back_from_the_page_with_a_reason(login, manager, moved):
    lead = moved(factories.LeadFactory(), Stage.PROSPECT, Stage.CUSTOMER)
    client = login(manager)
    html = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert 'name="to_stage" value="prospect"' in html

    no_reason = move(client, lead, "prospect")
    assert no_reason.status_code == 400
    assert Lead.objects.get(pk=lead.pk).stage == Stage.CUSTOMER

    done = move(client, lead, "prospect", reason="Deal booked twice")
    assert done.status_code == 302
    assert Lead.objects.get(pk=lead.pk).stage == Stage.PROSPECT


def test_a_rep_forcing_the_move_gets_403_and_nothing_changes(login, rep, moved):
    lead = moved(factories.LeadFactory(owner=rep), Stage.PROSPECT, Stage.CUSTOMER)
    response = move(login(rep), lead, "prospect", reason="please")
    assert response.status_code == 403
    assert "Only a manager" in response.content.decode()
    assert Lead.objects.get(pk=lead.pk).stage == Stage.CUSTOMER
