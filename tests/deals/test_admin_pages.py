"""The pipeline, loss reasons and deal history in the admin: bounded queries; history is
read-only."""

import pytest
from django.urls import reverse

from funnel.stages import Cause
from sales.models import DealStageChange, Pipeline
from sales.pipeline.services import deal_move
from tests.sales.factories import DealFactory, prospect

pytestmark = pytest.mark.django_db


def _deals_with_history(count, owner):
    for _ in range(count):
        deal = DealFactory(lead=prospect(owner=owner))
        deal_move(deal_id=deal.pk, to_stage="Demo", actor=owner, cause=Cause.MANUAL)


@pytest.mark.parametrize(
    "url_name", ["admin:sales_dealstagechange_changelist", "admin:sales_deal_changelist"]
)
def test_changelists_do_not_grow_with_rows(
    admin_client, rep, url_name, django_assert_max_num_queries
):
    _deals_with_history(2, rep)
    with django_assert_max_num_queries(12) as few:
        assert admin_client.get(reverse(url_name)).status_code == 200
    _deals_with_history(6, rep)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert admin_client.get(reverse(url_name)).status_code == 200


def test_history_cannot_be_changed_or_deleted(admin_client, rep):
    _deals_with_history(1, rep)
    change = DealStageChange.objects.latest("id")
    url = reverse("admin:sales_dealstagechange_change", args=[change.pk])
    admin_client.post(url, {"reason": "rewritten"})
    admin_client.post(
        reverse("admin:sales_dealstagechange_delete", args=[change.pk]), {"post": "yes"}
    )
    assert DealStageChange.objects.get(pk=change.pk).reason == ""


def test_the_pipeline_page_lists_its_stages(admin_client):
    pipeline = Pipeline.objects.get(is_default=True)
    page = admin_client.get(reverse("admin:sales_pipeline_change", args=[pipeline.pk]))
    assert page.status_code == 200
    for name in ("Qualification", "Demo", "Proposal", "Negotiation", "Won", "Lost"):
        assert name in page.content.decode()
