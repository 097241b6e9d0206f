"""Only managers see the dashboards; everyone else is refused, and the nav says so."""

import pytest

PAGES = [
    "/dashboard/",
    "/dashboard/breakdown/",
    "/dashboard/campaigns/",
    "/dashboard/quotas/",
    "/dashboard/forecast/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("who", ["rep", "marketer"])
def test_other_roles_are_refused(client, request, url, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_managers_see_every_tab(client, manager, url):
    client.force_login(manager)
    response = client.get(url)
    assert response.status_code == 200
    tabs = response.context["tabs"]
    assert [tab["label"] for tab in tabs] == [
        "Overview",
        "Breakdown",
        "Campaign ROI",
        "Quotas",
        "Forecast",
    ]
    assert sum(tab["current"] for tab in tabs) == 1


@pytest.mark.django_db
def test_dashboard_is_in_the_managers_navigation_only(client, manager, rep):
    client.force_login(manager)
    labels = [item["label"] for item in client.get("/").context["nav_items"]]
    assert "Dashboard" in labels
    client.force_login(rep)
    labels = [item["label"] for item in client.get("/").context["nav_items"]]
    assert "Dashboard" not in labels
