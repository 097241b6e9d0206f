"""The marketing pages cost a fixed number of queries, whatever the rows behind them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import CampaignFactory, LeadFactory
from tests.marketing.factories import SpendFactory, TouchFactory
from tests.marketing.imports import job_from

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def add_rows(campaign, n):
    for _ in range(n):
        lead = LeadFactory(source_campaign=campaign, owner=None)
        TouchFactory(lead=lead, campaign=campaign)
        SpendFactory(campaign=campaign)


@pytest.mark.parametrize("page", ["campaign-list", "campaign-detail", "results", "import-list"])
def test_page_queries_do_not_grow(client, marketer, media_root, page):
    client.force_login(marketer)
    campaign = CampaignFactory()
    url = reverse(f"marketing:{page}", args=[campaign.pk] if page == "campaign-detail" else [])
    add_rows(campaign, 2)
    job_from("email\na@example.com\n", user=marketer)
    queries(client, url)  # warm per-process caches
    few = queries(client, url)
    add_rows(campaign, 15)
    CampaignFactory.create_batch(3)
    job_from("email\nb@example.com\n", user=marketer)
    assert queries(client, url) == few
