"""Merges that must be refused with a clear 4xx and nothing changed: a lead with itself,
across a deleted or invisible lead, by a user without rights, an unknown field."""

import pytest

from leads.models import Lead, LeadMerge
from tests.api.clients import token_client
from tests.factories import LeadFactory


def merge(client, survivor_id, merged_id, **extra):
    return client.post(
        f"/api/v1/leads/{survivor_id}/merge/", {"merged": merged_id, **extra}, format="json"
    )


def assert_nothing_changed(*leads):
    assert not LeadMerge.objects.exists()
    for lead in leads:
        assert Lead.objects.filter(pk=lead.pk, email=lead.email).exists()


def test_a_lead_with_itself_is_a_400(duplicates, manager):
    survivor, merged = duplicates
    response = merge(token_client(manager), survivor.pk, survivor.pk)
    assert response.status_code == 400
    assert "itself" in str(response.json())
    assert_nothing_changed(survivor, merged)


def test_a_deleted_lead_is_a_404(duplicates, manager):
    survivor, merged = duplicates
    gone = LeadFactory()
    gone_id = gone.pk
    gone.delete()
    client = token_client(manager)
    assert merge(client, survivor.pk, gone_id).status_code == 404
    assert merge(client, gone_id, survivor.pk).status_code == 404
    assert_nothing_changed(survivor, merged)


def test_a_rep_may_not_merge_someone_elses_lead(duplicates, other_rep, rep):
    survivor, merged = duplicates
    # Unassigned: visible to every rep, editable by none.
    pool = LeadFactory(owner=None)
    response = merge(token_client(rep), survivor.pk, pool.pk)
    assert response.status_code == 403
    assert "both" in response.json()["detail"]
    # Another rep's leads are not even visible: 404, the same as "does not exist".
    assert merge(token_client(other_rep), survivor.pk, merged.pk).status_code == 404
    assert_nothing_changed(survivor, merged, pool)


@pytest.mark.parametrize("choices", [{"stage": "merged"}, {"company": "both"}, {"owner": "merged"}])
def test_an_unknown_field_or_choice_is_a_400(duplicates, manager, choices):
    survivor, merged = duplicates
    response = merge(token_client(manager), survivor.pk, merged.pk, field_choices=choices)
    assert response.status_code == 400
    assert "field_choices" in response.json()
    assert_nothing_changed(survivor, merged)


def test_a_marketer_may_merge_any_two(duplicates, marketer):
    survivor, merged = duplicates
    assert merge(token_client(marketer), survivor.pk, merged.pk).status_code == 200
