"""On a phone the dashboard's filters fold behind one button that names those in effect."""

import re

import pytest

from tests.factories import CampaignFactory, RepFactory

pytestmark = pytest.mark.django_db


def summary(response) -> str:
    return re.search(r'class="dash-filter-summary">([^<]*)<', response.content.decode()).group(1)


@pytest.fixture
def signed_in(client, manager):
    client.force_login(manager)
    return client


def test_the_default_names_the_period(signed_in):
    assert summary(signed_in.get("/dashboard/")) == "Last 12 months"


def test_every_filter_in_effect_is_named(signed_in):
    campaign = CampaignFactory(name="Spring webinar", channel="webinar")
    rep = RepFactory(first_name="Riley", last_name="Stone")
    response = signed_in.get(
        "/dashboard/breakdown/",
        {
            "since": "2026-01-01",
            "until": "2026-03-31",
            "campaign": campaign.pk,
            "channel": "webinar",
            "owner": rep.pk,
        },
    )
    assert summary(response) == (
        "1 Jan 2026 \N{EN DASH} 31 Mar 2026 · Spring webinar · Webinar · Riley Stone"
    )


def test_bad_filters_name_the_default_the_page_shows(signed_in):
    response = signed_in.get("/dashboard/", {"since": "not a date"})
    assert summary(response) == "Last 12 months"
