"""Issue 13: axe-core finds no critical or serious violation on any page, for any role.

Each role signs in to the same lifelike world (flows_support.sales_world_build plus what a
marketer and an integrator leave behind: imports, saved views, a bulk action, a webhook
with deliveries) and opens every page it can reach: the navigation, dashboard tabs, lead
lists and pages, campaigns, imports in each state, scoring, my work, the board, search,
integrations, the bulk and error pages, and the sign-in page. A page's states that only an
interaction shows (an open form, a dialog) are checked after that interaction.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from funnel.stages import Stage
from integrations.webhooks.services import webhook_endpoint_send_test
from leads.models import Lead
from lists.models import BulkAction, SavedView
from lists.services import bulk_action_create
from tests import factories
from tests.browser.axe import axe_watch, report
from tests.browser.flows_support import sales_world_build, sign_in
from tests.integrations.webhook_factories import WebhookEndpointFactory
from tests.marketing.imports import job_from, run

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = """Email,First name,Last name,Company
ines.garcia@fjord.example,Ines,Garcia,Fjord Analytics
tomas.berg@nordlys.example,Tomas,Berg,Nordlys Energi
not-an-address,Bad,Line,Nowhere Ltd
"""


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    world = sales_world_build()
    marketer = factories.MarketerFactory(username="mira", first_name="Mira", last_name="Shah")
    world.marketer = marketer
    world.preview = job_from(CSV, user=marketer, name="fair-badges.csv")
    world.finished = run(job_from(CSV, user=marketer, name="webinar.csv"), skip_bad_lines=True)
    endpoint = WebhookEndpointFactory(
        url="https://hooks.example.com/funnel/crm",
        description="Data warehouse sync",
        events=["lead.stage_changed", "deal.won"],
    )
    world.endpoint = endpoint
    world.delivery = webhook_endpoint_send_test(endpoint=endpoint)
    for user in (world.manager, world.rep, marketer):
        SavedView.objects.create(
            user=user, list_kind="list", name="Hot leads", query="score_min=50"
        )
    riley_leads = Lead.objects.filter(owner=world.rep).order_by("pk")[:2]
    world.bulk = bulk_action_create(
        user=world.manager,
        list_kind="list",
        action=BulkAction.Action.ASSIGN,
        params={"owner": world.other_rep.pk},
        query="",
        lead_ids=[lead.pk for lead in riley_leads],
    )
    world.unassigned = Lead.objects.filter(owner=None).order_by("pk").first()
    world.customer = Lead.objects.filter(email="nora.quinn@northwind.example").get()
    # Out of the funnel: the stage path fades (its words must stay readable).
    world.lost = Lead.objects.filter(stage=Stage.LOST).order_by("pk").first()
    world.disqualified = Lead.objects.filter(stage=Stage.DISQUALIFIED).order_by("pk").first()
    return world


def common_pages(world) -> list[str]:
    lead = world.prospect.pk
    return [
        "/",
        "/leads/",
        "/leads/?q=north&stage=prospect",
        "/leads/?view=none&page=2",
        "/leads/prospects/",
        "/leads/customers/",
        "/leads/new/",
        f"/leads/{lead}/",
        f"/leads/{world.customer.pk}/",
        f"/leads/{lead}/edit/",
        f"/leads/{lead}/merge/",
        f"/leads/{lead}/merge/?q=northwind",
        f"/sales/leads/{lead}/timeline/",
        "/search/?q=north",
        "/search/?q=zzzz-nothing",
        "/no-such-page/",
    ]


ROLE_PAGES = {
    "riley": lambda w: [
        "/sales/my-work/",
        "/sales/board/",
        "/sales/deals/board/",
        f"/leads/{w.unassigned.pk}/",
        f"/leads/{w.prospect.pk}/merge/?with={w.customer.pk}",
        "/dashboard/",  # 403 for a rep
        f"/mail/leads/{w.prospect.pk}/compose/",
        "/mail/templates/",
        "/mail/templates/new/",
        "/mail/sequences/",
    ],
    "morgan": lambda w: [
        "/sales/quotas/",
        f"/leads/{w.lost.pk}/",
        f"/leads/{w.disqualified.pk}/",
        "/dashboard/",
        "/dashboard/?campaign=" + str(w.prospect.source_campaign_id),
        "/dashboard/breakdown/",
        "/dashboard/campaigns/",
        "/dashboard/quotas/",
        "/dashboard/forecast/",
        "/sales/deals/board/",
        "/sales/teams/",
        "/marketing/",
        f"/marketing/campaigns/{w.prospect.source_campaign_id}/",
        "/marketing/results/",
        f"/leads/bulk/actions/{w.bulk.pk}/",
        f"/leads/{w.prospect.pk}/merge/?with={w.customer.pk}",
        "/integrations/",
        "/integrations/api-keys/",
        "/integrations/webhooks/",
        "/integrations/webhooks/new/",
        f"/integrations/webhooks/{w.endpoint.pk}/",
        f"/integrations/webhooks/{w.endpoint.pk}/edit/",
        f"/integrations/webhooks/{w.endpoint.pk}/deliveries/{w.delivery.pk}/",
        "/mail/suppressions/",
        "/mail/sequences/",
        "/mail/outbox/",
    ],
    "mira": lambda w: [
        "/marketing/",
        "/marketing/campaigns/new/",
        f"/marketing/campaigns/{w.prospect.source_campaign_id}/",
        f"/marketing/campaigns/{w.prospect.source_campaign_id}/edit/",
        "/marketing/results/",
        "/marketing/scoring/",
        "/marketing/imports/",
        f"/marketing/imports/{w.preview.pk}/",
        f"/marketing/imports/{w.finished.pk}/",
        "/marketing/thanks/",
        "/mail/templates/",
        "/mail/templates/new/",
        "/mail/sends/",
        "/mail/sends/new/",
        "/sales/my-work/",  # 403 for a marketer
    ],
}


def visit_all(page, base: str, paths: list[str]) -> dict:
    watch = axe_watch(page)
    for path in paths:
        page.goto(base + path)
        page.wait_for_load_state("load")
        watch.check(page)
    return watch.found


@pytest.mark.parametrize("username", ["riley", "morgan", "mira"])
def test_every_page_of_a_role_has_no_serious_violation(live_server, page, world, username):
    sign_in(page, live_server, username)
    paths = common_pages(world) + ROLE_PAGES[username](world)
    found = visit_all(page, live_server.url, paths)
    assert not found, report(found)


def test_signed_out_pages_have_no_serious_violation(live_server, page, world):
    watch = axe_watch(page)
    page.goto(f"{live_server.url}/login/")
    watch.check(page)
    page.get_by_label("Username").fill("riley")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("enter a correct username")
    watch.check(page, "wrong password")
    # A website visitor whose capture form is refused.
    page.set_content(
        f'<form method="post" action="{live_server.url}/api/v1/capture/">'
        f'<input name="key" value="{world.prospect.source_campaign.capture_key}">'
        '<input name="email" value="not-an-email"><button>Send</button></form>'
    )
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Enter a valid email address.")).to_be_visible()
    watch.check(page, "capture refused")
    assert not watch.found, report(watch.found)
