"""Every admin list and change page loads in a number of queries that does not grow with
the rows shown (select_related, no per-row look-ups)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funnel.models import StageChange
from funnel.services import lead_transition
from funnel.stages import Cause, Stage
from leads.models import Lead
from marketing.models import Campaign

CHANGELISTS = [
    "admin:leads_lead_changelist",
    "admin:leads_prospect_changelist",
    "admin:leads_customer_changelist",
    "admin:funnel_stagechange_changelist",
    "admin:marketing_campaign_changelist",
]
MAX_QUERIES = 12


def _count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("url_name", CHANGELISTS)
def test_changelist_queries_do_not_grow_with_rows(admin_client, make_funnel, url_name):
    make_funnel(1)
    _count_queries(admin_client, reverse(url_name))  # warm caches (content types, session)
    few = _count_queries(admin_client, reverse(url_name))
    make_funnel(6)
    many = _count_queries(admin_client, reverse(url_name))
    assert many == few
    assert many <= MAX_QUERIES


def test_lead_changelist_shows_rows_with_their_columns(admin_client, make_funnel):
    leads = make_funnel(1)
    response = admin_client.get(reverse("admin:leads_lead_changelist"))
    body = response.content.decode()
    for lead in leads:
        assert lead.email in body
    assert leads[0].source_campaign.name in body
    assert leads[0].owner.username in body


def test_proxy_changelists_list_only_their_stage(admin_client, make_funnel):
    make_funnel(1)
    prospects = admin_client.get(reverse("admin:leads_prospect_changelist")).context["cl"]
    customers = admin_client.get(reverse("admin:leads_customer_changelist")).context["cl"]
    assert {lead.stage for lead in prospects.result_list} == {Stage.PROSPECT}
    assert {lead.stage for lead in customers.result_list} == {Stage.CUSTOMER}


def test_lead_change_page_queries_do_not_grow_with_history(admin_client, make_funnel, rep):
    short, long = make_funnel(1)[1], make_funnel(1)[1]
    for stage in (Stage.LOST, Stage.PROSPECT, Stage.LOST, Stage.LEAD):
        lead_transition(lead_id=long.pk, to_stage=stage, cause=Cause.MANUAL, actor=rep)
    _count_queries(admin_client, reverse("admin:leads_lead_change", args=[short.pk]))  # warm
    few = _count_queries(admin_client, reverse("admin:leads_lead_change", args=[short.pk]))
    many = _count_queries(admin_client, reverse("admin:leads_lead_change", args=[long.pk]))
    assert many == few
    assert many <= MAX_QUERIES + 4


@pytest.mark.parametrize(
    ("url_name", "model"),
    [
        ("admin:leads_lead_change", Lead),
        ("admin:funnel_stagechange_change", StageChange),
        ("admin:marketing_campaign_change", Campaign),
    ],
)
def test_change_pages_load_in_bounded_queries(admin_client, make_funnel, url_name, model):
    make_funnel(2)
    obj = model.objects.order_by("pk").first()
    assert _count_queries(admin_client, reverse(url_name, args=[obj.pk])) <= MAX_QUERIES + 4
