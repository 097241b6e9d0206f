"""The header search box on every page, the grouped results page and the live
suggestions under the box."""

import pytest
from django.urls import reverse

from tests.factories import CampaignFactory, LeadFactory
from tests.sales.factories import DealFactory, prospect

pytestmark = pytest.mark.django_db


def test_every_page_has_a_labelled_search_box(client, rep):
    client.force_login(rep)

    html = client.get(reverse("home")).content.decode()

    assert 'role="search"' in html
    assert '<label class="visually-hidden" for="site-search-input">Find anything</label>' in html
    assert f'action="{reverse("search:results")}"' in html
    # The behaviour is a static file: no inline script for the search.
    assert "js/search.js" in html


def test_results_page_groups_leads_campaigns_and_deals(client, manager):
    lead = prospect(first_name="Willy", last_name="Wonka", email="willy@wonka.example")
    LeadFactory(company="Globex")
    campaign = CampaignFactory(name="Wonka bars relaunch")
    DealFactory(lead=lead, title="Wonka factory tour")
    client.force_login(manager)

    response = client.get(reverse("search:results"), {"q": "wonka"})

    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(">Leads<") < html.index(">Campaigns<") < html.index(">Deals<")
    assert reverse("leads:detail", args=[lead.pk]) in html
    assert reverse("marketing:campaign-detail", args=[campaign.pk]) in html
    assert "Wonka factory tour" in html
    assert "Globex" not in html
    # The lead list takes the same search: its link carries the text.
    assert f"{reverse('leads:list')}?search=wonka" in html
    # The header box shows what was searched.
    assert 'name="q" value="wonka"' in html


def test_rep_sees_no_campaign_group(client, rep):
    CampaignFactory(name="Wonka bars relaunch")
    client.force_login(rep)

    html = client.get(reverse("search:results"), {"q": "wonka"}).content.decode()

    assert ">Campaigns<" not in html and "Wonka bars" not in html
    assert ">Deals<" in html


def test_suggestions_are_a_listbox_of_links(client, manager):
    lead = LeadFactory(first_name="Ada", last_name="Lovelace", email="ada@engines.io")
    client.force_login(manager)

    html = client.get(reverse("search:suggest"), {"q": "engines.io"}).content.decode()

    assert f'role="option" id="suggest-lead-{lead.pk}"' in html
    assert reverse("leads:detail", args=[lead.pk]) in html
    assert f"{reverse('search:results')}?q=engines.io" in html


@pytest.mark.parametrize("text", ["", "a", "  "])
def test_too_short_text(client, manager, text):
    client.force_login(manager)

    suggestions = client.get(reverse("search:suggest"), {"q": text})
    page = client.get(reverse("search:results"), {"q": text})

    assert suggestions.status_code == 200 and not suggestions.content.decode().strip()
    assert page.status_code == 200 and "at least 2 characters" in page.content.decode()


@pytest.mark.parametrize(
    "text",
    ["x" * 5000, "100%", "_", "%%%", "'; DROP TABLE leads_lead; --", "\\", "(((", "ü", "ab\x00c"],
)
def test_odd_text_is_searched_not_an_error(client, manager, text):
    LeadFactory(first_name="Ada")
    client.force_login(manager)

    for name in ("search:results", "search:suggest"):
        response = client.get(reverse(name), {"q": text})
        assert response.status_code == 200
        assert "Ada" not in response.content.decode().split("Results for")[-1]


def test_login_required(client):
    response = client.get(reverse("search:results"), {"q": "ada"})

    assert response.status_code == 302 and reverse("login") in response["Location"]
