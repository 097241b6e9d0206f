"""Filters, search and sorting of the lead lists, and their htmx/plain-GET answers."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from funnel.stages import Stage
from tests import factories
from tests.ui.helpers import listed_ids


@pytest.fixture
def campaign(db):
    return factories.CampaignFactory(name="Spring webinar")


def day(y, m, d, hour=12):
    return datetime(y, m, d, hour, tzinfo=timezone.get_current_timezone())


def test_stage_filter(login, manager, moved):
    lead = factories.LeadFactory()
    prospect = moved(factories.LeadFactory(), Stage.PROSPECT)
    lost = moved(factories.LeadFactory(), Stage.PROSPECT, Stage.LOST)
    client = login(manager)
    assert listed_ids(client.get(reverse("leads:list"), {"stage": "lost"})) == [lost.pk]
    assert listed_ids(client.get(reverse("leads:list"), {"stage": "prospect"})) == [prospect.pk]
    assert listed_ids(client.get(reverse("leads:list"), {"stage": "lead"})) == [lead.pk]


def test_stage_lists_have_no_stage_filter(login, manager):
    html = login(manager).get(reverse("leads:prospects")).content.decode()
    assert 'name="stage"' not in html


def test_owner_filter_me_unassigned_and_by_id(login, manager, rep):
    mine = factories.LeadFactory(owner=manager)
    reps = factories.LeadFactory(owner=rep)
    nobody = factories.LeadFactory(owner=None)
    client = login(manager)
    assert listed_ids(client.get(reverse("leads:list"), {"owner": "me"})) == [mine.pk]
    assert listed_ids(client.get(reverse("leads:list"), {"owner": "none"})) == [nobody.pk]
    assert listed_ids(client.get(reverse("leads:list"), {"owner": rep.pk})) == [reps.pk]


def test_source_campaign_filter(login, marketer, campaign):
    sourced = factories.LeadFactory(source_campaign=campaign)
    factories.LeadFactory(source_campaign=factories.CampaignFactory())
    factories.LeadFactory(source_campaign=None)
    response = login(marketer).get(reverse("leads:list"), {"source_campaign": campaign.pk})
    assert listed_ids(response) == [sourced.pk]


def test_created_dates_are_inclusive_days(login, manager):
    before = factories.LeadFactory(created_at=day(2026, 3, 31, 23))
    first = factories.LeadFactory(created_at=day(2026, 4, 1, 0))
    last = factories.LeadFactory(created_at=day(2026, 4, 30, 23))
    factories.LeadFactory(created_at=day(2026, 5, 1, 0))
    client = login(manager)
    response = client.get(
        reverse("leads:list"), {"created_after": "2026-04-01", "created_before": "2026-04-30"}
    )
    assert listed_ids(response) == [last.pk, first.pk]
    response = client.get(reverse("leads:list"), {"created_before": "2026-03-31"})
    assert listed_ids(response) == [before.pk]


def test_search_by_name_email_and_company(login, manager):
    ada = factories.LeadFactory(
        first_name="Ada", last_name="Lovelace", company="Engines", email="ada@analytical.test"
    )
    grace = factories.LeadFactory(
        first_name="Grace", last_name="Hopper", company="Compilers", email="g@navy.test"
    )
    client = login(manager)

    def search(text):
        return listed_ids(client.get(reverse("leads:list"), {"search": text}))

    assert search("ada") == [ada.pk]
    assert search("Lovelace") == [ada.pk]
    assert search("compil") == [grace.pk]
    assert search("g@navy") == [grace.pk]
    assert search("ada love") == [ada.pk]
    assert search("nobody") == []


def test_filters_combine(login, manager, rep, campaign, moved):
    hit = moved(factories.LeadFactory(owner=rep, source_campaign=campaign), Stage.PROSPECT)
    moved(factories.LeadFactory(owner=rep), Stage.PROSPECT)
    factories.LeadFactory(owner=rep, source_campaign=campaign)
    response = login(manager).get(
        reverse("leads:list"),
        {"stage": "prospect", "owner": rep.pk, "source_campaign": campaign.pk},
    )
    assert listed_ids(response) == [hit.pk]
    assert "matches your filters" in response.content.decode()


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-created", ["c", "b", "a"]),
        ("created", ["a", "b", "c"]),
        ("-score", ["b", "c", "a"]),
        ("score", ["a", "c", "b"]),
        ("name", ["b", "a", "c"]),
        ("-name", ["c", "a", "b"]),
    ],
)
def test_sorting(login, manager, sort, expected):
    now = timezone.now()
    leads = {
        "a": factories.LeadFactory(last_name="Miller", score=5, created_at=now - timedelta(3)),
        "b": factories.LeadFactory(last_name="Adams", score=90, created_at=now - timedelta(2)),
        "c": factories.LeadFactory(last_name="Young", score=40, created_at=now - timedelta(1)),
    }
    response = login(manager).get(reverse("leads:list"), {"sort": sort})
    assert listed_ids(response) == [leads[key].pk for key in expected]


def test_sort_headers_toggle_direction_and_say_so(login, manager):
    factories.LeadFactory()
    html = login(manager).get(reverse("leads:list"), {"sort": "-score"}).content.decode()
    assert 'aria-sort="descending"><a class="sort" href="?sort=score"' in html
    assert 'aria-sort="none"><a class="sort" href="?sort=name"' in html


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "not-a-cursor"},
        {"cursor": "W10"},
        {"cursor": "x" * 5000},
        {"created_after": "2026-13-45"},
        {"created_before": "9999-12-31"},
        {"owner": "12345678901234567890"},
        {"stage": "bogus"},
        {"sort": "password"},
        {"source_campaign": "-1"},
        {"search": "nul\x00byte"},
        {"search": "x" * 5000},
    ],
)
def test_bad_parameters_never_break_the_page(login, manager, params):
    lead = factories.LeadFactory()
    response = login(manager).get(reverse("leads:list"), params)
    assert response.status_code == 200
    if "search" not in params:
        assert listed_ids(response) == [lead.pk]


def test_an_invalid_filter_is_shown_as_an_error(login, manager):
    response = login(manager).get(
        reverse("leads:list"), {"created_after": "2026-05-02", "created_before": "2026-05-01"}
    )
    assert "The end date is before the start date." in response.content.decode()


def test_htmx_gets_only_the_results_and_the_sort_control(login, manager, htmx_headers):
    factories.LeadFactory(first_name="Ada")
    response = login(manager).get(
        reverse("leads:list"), {"search": "ada", "sort": "name"}, headers=htmx_headers
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="lead-results"')
    assert "<html" not in html
    assert 'id="sort-field" class="field-wrap" hx-swap-oob="true"' in html
    assert '<option value="name" selected>' in html
    assert "HX-Request" in response["Vary"]


def test_plain_get_gets_the_whole_page_with_the_filters_filled_in(login, manager):
    factories.LeadFactory(first_name="Ada")
    html = login(manager).get(reverse("leads:list"), {"search": "ada"}).content.decode()
    assert "<html" in html
    assert 'name="search" value="ada"' in html
    assert 'hx-push-url="true"' in html


def test_history_restore_gets_the_whole_page(login, manager, htmx_headers):
    headers = {**htmx_headers, "HX-History-Restore-Request": "true"}
    html = login(manager).get(reverse("leads:list"), headers=headers).content.decode()
    assert "<html" in html


def test_empty_states(login, manager):
    client = login(manager)
    assert "No leads yet" in client.get(reverse("leads:list")).content.decode()
    factories.LeadFactory(first_name="Ada")
    html = client.get(reverse("leads:list"), {"search": "zzz"}).content.decode()
    assert "No leads match these filters" in html
    assert "Clear filters" in html
