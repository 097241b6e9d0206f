"""Every page renders for every role, inside the shared layout."""

import pytest
from django.urls import reverse

from tests import factories

PAGES = ["home", "leads:list", "leads:prospects", "leads:customers"]
ROLES = ["manager", "marketer", "rep"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_page_renders_for_role(request, login, page, role):
    user = request.getfixturevalue(role)
    factories.LeadFactory(owner=user if role == "rep" else None)
    response = login(user).get(reverse(page))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html
    assert 'action="/logout/"' in html


@pytest.mark.parametrize("role", ROLES)
def test_lead_page_renders_for_role(request, login, role):
    user = request.getfixturevalue(role)
    lead = factories.LeadFactory(owner=user if role == "rep" else None, first_name="Grace")
    response = login(user).get(reverse("leads:detail", args=[lead.pk]))
    assert response.status_code == 200
    assert "Grace" in response.content.decode()


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_login(client, db, page):
    response = client.get(reverse(page))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
