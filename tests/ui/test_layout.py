"""The shared layout: navigation built from NAV_ITEMS, user menu, htmx wiring, a11y hooks."""

import pytest
from django.urls import reverse

from funnel import context_processors
from funnel.roles import MANAGERS, MARKETING, SALES


def nav_links(html: str) -> list[str]:
    start = html.index('aria-label="Main"')
    return [
        chunk.split(">", 1)[1].split("<", 1)[0]
        for chunk in html[start : html.index("</nav>", start)].split("<a ")[1:]
    ]


def test_every_role_sees_the_lead_lists(login, manager, marketer, rep):
    for user in (manager, marketer, rep):
        links = nav_links(login(user).get(reverse("home")).content.decode())
        # Other areas add their own entries after these.
        assert links[:4] == ["Home", "Leads", "Prospects", "Customers"]


def test_entries_without_a_page_or_without_the_role_are_left_out(login, rep, manager, monkeypatch):
    monkeypatch.setattr(
        context_processors,
        "NAV_ITEMS",
        [
            ("Leads", "leads:list", (MANAGERS, MARKETING, SALES)),
            ("Not built yet", "sales:nothing-here", (SALES,)),
            ("Dashboards", "leads:customers", (MANAGERS,)),
        ],
    )
    assert nav_links(login(rep).get(reverse("home")).content.decode()) == ["Home", "Leads"]
    assert nav_links(login(manager).get(reverse("home")).content.decode()) == [
        "Home",
        "Leads",
        "Dashboards",
    ]


def test_a_user_without_a_role_gets_no_sections(login, db, monkeypatch):
    from tests.factories import UserFactory

    monkeypatch.setattr(
        context_processors, "NAV_ITEMS", [("Leads", "leads:list", (MANAGERS, MARKETING, SALES))]
    )
    html = login(UserFactory()).get(reverse("home")).content.decode()
    assert nav_links(html) == ["Home"]


@pytest.mark.parametrize(
    ("url_name", "current"),
    [("leads:list", "Leads"), ("leads:prospects", "Prospects"), ("home", "Home")],
)
def test_the_current_section_is_marked_once(login, rep, url_name, current):
    html = login(rep).get(reverse(url_name)).content.decode()
    assert html.count('aria-current="page"') == 1
    marked = html.split('aria-current="page">', 1)[1].split("<", 1)[0]
    assert marked == current


def test_layout_has_skip_link_user_menu_and_post_logout(login, rep):
    rep.first_name, rep.last_name = "Riley", "Stone"
    rep.save()
    html = login(rep).get(reverse("home")).content.decode()
    assert html.index('class="skip-link" href="#main"') < html.index('<main id="main"')
    assert "Riley Stone" in html
    assert "Sales rep" in html
    logout_form = html.split('action="/logout/"', 1)[0].rsplit("<form", 1)[1]
    assert 'method="post"' in logout_form
    assert 'name="viewport"' in html


def test_htmx_is_served_locally_with_the_csrf_header(login, rep):
    html = login(rep).get(reverse("home")).content.decode()
    assert "/static/django_htmx/htmx" in html
    assert "https://" not in html.split("</head>")[0]
    assert '"X-CSRFToken": "' in html
    assert "/static/css/funnel.css" in html


def test_logout_is_a_post_and_ends_the_session(login, rep):
    client = login(rep)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_admin_link_only_for_staff(login, rep, db):
    from tests.factories import UserFactory

    assert "Admin site" not in login(rep).get(reverse("home")).content.decode()
    staff = UserFactory(is_staff=True)
    assert "Admin site" in login(staff).get(reverse("home")).content.decode()
