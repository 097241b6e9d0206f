"""The new lead, edit and merge pages cost a fixed number of queries, whatever the
number of campaigns, leads or history rows."""

import pytest
from django.urls import reverse

from tests import factories

# The session, the user, the user's groups.
AUTH = 3


@pytest.mark.parametrize("campaigns", [1, 20])
def test_new_lead_form(login, marketer, django_assert_num_queries, campaigns):
    factories.CampaignFactory.create_batch(campaigns)
    client = login(marketer)
    # AUTH + the campaign choices.
    with django_assert_num_queries(AUTH + 1):
        assert client.get(reverse("leads:create")).status_code == 200


@pytest.mark.parametrize("campaigns", [1, 20])
def test_edit_form(login, rep, django_assert_num_queries, campaigns):
    factories.CampaignFactory.create_batch(campaigns)
    lead = factories.LeadFactory(owner=rep)
    client = login(rep)
    # AUTH + the lead (scoped) + the campaign choices.
    with django_assert_num_queries(AUTH + 2):
        assert client.get(reverse("leads:edit", args=[lead.pk])).status_code == 200


def test_create_post(login, marketer, django_assert_max_num_queries):
    client = login(marketer)
    # AUTH + the alias check + savepoint/insert + the webhook outbox; bounded either way.
    with django_assert_max_num_queries(AUTH + 10):
        response = client.post(reverse("leads:create"), {"email": "new@example.com"})
    assert response.status_code == 302


@pytest.mark.parametrize("others", [1, 15])
def test_merge_pick_and_compare(login, manager, django_assert_num_queries, others):
    lead = factories.LeadFactory(email="ada@work.example")
    other = factories.LeadFactory(email="ada@home.example")
    factories.LeadFactory.create_batch(others, first_name="Ada")
    client = login(manager)
    # AUTH + the lead + the candidates.
    with django_assert_num_queries(AUTH + 2):
        response = client.get(reverse("leads:merge", args=[lead.pk]), {"q": "ada"})
    assert response.status_code == 200
    # AUTH + both leads (owner and campaign joined).
    with django_assert_num_queries(AUTH + 2):
        response = client.get(reverse("leads:merge", args=[lead.pk]), {"with": other.pk})
    assert response.status_code == 200
