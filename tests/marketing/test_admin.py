"""The marketing admin pages load in a bounded number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from marketing.models import ScoringRules
from tests.factories import CampaignFactory
from tests.marketing.factories import SpendFactory, TouchFactory

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured)


@pytest.mark.parametrize(
    "name",
    [
        "admin:marketing_touch_changelist",
        "admin:marketing_importjob_changelist",
        "admin:marketing_fitrule_changelist",
        "admin:marketing_scoringrules_changelist",
    ],
)
def test_changelists(admin_client, name):
    TouchFactory.create_batch(2, campaign=CampaignFactory())
    queries(admin_client, reverse(name))
    few = queries(admin_client, reverse(name))
    TouchFactory.create_batch(10, campaign=CampaignFactory())
    assert queries(admin_client, reverse(name)) == few <= 12


def test_campaign_change_page_with_its_spend(admin_client):
    campaign = CampaignFactory()
    SpendFactory.create_batch(2, campaign=campaign)
    url = reverse("admin:marketing_campaign_change", args=[campaign.pk])
    queries(admin_client, url)  # warm per-process caches
    few = queries(admin_client, url)
    SpendFactory.create_batch(10, campaign=campaign)
    assert queries(admin_client, url) == few


def test_scoring_rules_cannot_be_added_or_deleted(admin_client):
    rules = ScoringRules.objects.get()
    assert admin_client.get(reverse("admin:marketing_scoringrules_add")).status_code == 403
    url = reverse("admin:marketing_scoringrules_delete", args=[rules.pk])
    assert admin_client.get(url).status_code == 403
