"""Saved views: a named filter and sort per user, optionally shared with a group, always
shown under the viewer's own scope; the list remembers the last one opened."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from funnel.roles import SALES
from lists.models import SavedView
from lists.saved_views import saved_view_leads
from tests import factories

pytestmark = pytest.mark.django_db


def save(client, kind="list", **data):
    return client.post(reverse("lists:saved-view-create", args=[kind]), data)


def test_save_the_current_filter_and_come_back_to_it(login, rep):
    client = login(rep)
    response = save(client, name="Hot Acme", query="search=Acme&sort=-score&cursor=abc")
    view = SavedView.objects.get()
    assert (view.user, view.query) == (rep, "search=Acme&sort=-score")
    assert response["Location"] == f"/leads/?search=Acme&sort=-score&view={view.pk}"

    # Opening the list bare (from the navigation) shows the last view again.
    assert client.get(reverse("leads:list"))["Location"] == response["Location"]
    # "Clear all" forgets it.
    assert client.get(reverse("leads:list") + "?view=none").status_code == 200
    assert client.get(reverse("leads:list")).status_code == 200


def test_the_menu_lists_own_and_shared_views(login, rep, other_rep, manager):
    sales = Group.objects.get(name=SALES)
    SavedView.objects.create(user=other_rep, list_kind="list", name="Team pool", shared_with=sales)
    SavedView.objects.create(user=other_rep, list_kind="list", name="Private")
    SavedView.objects.create(user=rep, list_kind="list", name="Mine")
    html = login(rep).get(reverse("leads:list") + "?view=none").content.decode()
    assert "Team pool" in html and "Mine" in html and "Private" not in html
    assert "Team pool" not in login(manager).get(reverse("leads:list")).content.decode()


def test_a_shared_view_shows_each_viewer_only_their_scope(rep, other_rep):
    sales = Group.objects.get(name=SALES)
    view = SavedView.objects.create(
        user=other_rep, list_kind="list", name="Acme", query="search=Acme", shared_with=sales
    )
    theirs = factories.LeadFactory(owner=other_rep, company="Acme")
    mine = factories.LeadFactory(owner=rep, company="Acme")
    assert list(saved_view_leads(user=rep, view=view)) == [mine]
    assert list(saved_view_leads(user=other_rep, view=view)) == [theirs]


def test_sharing_only_with_ones_own_group(login, rep):
    managers = Group.objects.get_or_create(name="managers")[0]
    response = save(login(rep), name="Sneaky", shared_with=managers.pk)
    assert response.status_code in (302, 303)
    assert not SavedView.objects.exists()


def test_a_duplicate_name_is_refused_not_a_500(login, rep):
    client = login(rep)
    save(client, name="Mine")
    response = save(client, name="Mine")
    assert response.status_code == 303
    assert SavedView.objects.count() == 1


def test_only_the_owner_deletes_a_view(login, rep, other_rep):
    view = SavedView.objects.create(user=rep, list_kind="list", name="Mine")
    url = reverse("lists:saved-view-delete", args=[view.pk])
    assert login(other_rep).post(url).status_code == 404
    assert login(rep).post(url).status_code == 302
    assert not SavedView.objects.exists()


def test_a_remembered_view_no_longer_shared_is_dropped(login, rep, other_rep):
    sales = Group.objects.get(name=SALES)
    view = SavedView.objects.create(
        user=other_rep, list_kind="list", name="Pool", query="owner=none", shared_with=sales
    )
    client = login(rep)
    client.get(reverse("leads:list") + f"?owner=none&view={view.pk}")
    assert client.get(reverse("leads:list")).status_code == 302
    view.shared_with = None
    view.save()
    assert client.get(reverse("leads:list")).status_code == 200


def _headers(response) -> list[str]:
    html = response.content.decode()
    table = html[html.index("<thead>") : html.index("</thead>")]
    return [name for name in ("Company", "Owner", "Source", "Score", "Created") if name in table]


def test_a_view_shows_only_its_columns_and_the_list_all_of_them(login, rep):
    factories.LeadFactory(owner=rep, company="Acme")
    client = login(rep)
    save(client, name="Slim", query="search=", columns=["score", "owner"])
    view = SavedView.objects.get()
    assert view.columns == ["owner", "score"]

    slim = client.get(reverse("leads:list") + f"?view={view.pk}")
    assert _headers(slim) == ["Owner", "Score"]
    assert "Acme" not in slim.content.decode()  # the company cell went with its header

    every = client.get(reverse("leads:list") + "?view=none")
    assert _headers(every) == ["Company", "Owner", "Source", "Score", "Created"]
