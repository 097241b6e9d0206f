"""Merge with… on the lead page: find the duplicate, see both side by side with a choice
per differing field, confirm; refusals are clear and change nothing."""

from django.urls import reverse

from leads.models import Lead, LeadMerge
from tests import factories


def test_pick_compare_and_merge(login, rep):
    work = factories.LeadFactory(
        email="ada@work.example", first_name="Ada", company="", phone="1", owner=rep
    )
    home = factories.LeadFactory(
        email="ada@home.example", first_name="Ada", company="Engines", phone="2", owner=rep
    )
    client = login(rep)
    page = client.get(reverse("leads:detail", args=[work.pk])).content.decode()
    assert f'id="lead-merge" href="/leads/{work.pk}/merge/"' in page

    found = client.get(reverse("leads:merge", args=[work.pk]), {"q": "ada@home"}).content.decode()
    assert f'href="?with={home.pk}"' in found

    compare = client.get(reverse("leads:merge", args=[work.pk]), {"with": home.pk})
    html = compare.content.decode()
    assert 'name="choice_company"' in html and 'name="choice_phone"' in html
    assert 'name="choice_first_name"' not in html  # the same on both: nothing to choose

    response = client.post(
        reverse("leads:merge", args=[work.pk]),
        {"merged": home.pk, "choice_company": "merged", "choice_phone": "survivor"},
    )
    assert response.status_code == 302 and response["Location"] == f"/leads/{work.pk}/"
    work.refresh_from_db()
    assert (work.company, work.phone) == ("Engines", "1")
    assert not Lead.objects.filter(pk=home.pk).exists()
    assert LeadMerge.objects.get().actor == rep


def test_refusals_change_nothing(login, rep, other_rep):
    mine = factories.LeadFactory(owner=rep)
    pool = factories.LeadFactory(owner=None)
    theirs = factories.LeadFactory(owner=other_rep)
    client = login(rep)
    merge_url = reverse("leads:merge", args=[mine.pk])
    assert client.post(merge_url, {"merged": pool.pk}).status_code == 403
    assert client.post(merge_url, {"merged": theirs.pk}).status_code == 404
    itself = client.post(merge_url, {"merged": mine.pk})
    assert itself.status_code == 302
    assert "cannot be merged with itself" in client.get(itself["Location"]).content.decode()
    assert client.get(reverse("leads:merge", args=[pool.pk])).status_code == 403
    assert Lead.objects.count() == 3 and not LeadMerge.objects.exists()


def test_the_merged_away_page_leads_to_the_survivor(login, manager, rep, other_rep):
    from leads.merging.services import leads_merge
    from tests.merging.conftest import NOW

    survivor = factories.LeadFactory(owner=rep)
    merged = factories.LeadFactory(owner=rep)
    leads_merge(survivor=survivor, merged=merged, field_choices={}, actor=manager, now=NOW)
    response = login(rep).get(reverse("leads:detail", args=[merged.pk]))
    assert response.status_code == 302 and response["Location"] == f"/leads/{survivor.pk}/"
    # Someone who may not see the survivor gets the same 404 as for any unknown lead.
    assert login(other_rep).get(reverse("leads:detail", args=[merged.pk])).status_code == 404
