"""POST /api/v1/leads/{id}/merge/: the survivor answers with the merge record."""

from leads.models import Lead
from tests.api.clients import token_client


def test_merge_answers_with_the_record_and_the_survivor(duplicates, rep):
    survivor, merged = duplicates
    response = token_client(rep).post(
        f"/api/v1/leads/{survivor.pk}/merge/",
        {"merged": merged.pk, "field_choices": {"company": "merged"}},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["merged_lead_id"] == merged.pk
    assert body["merged_email"] == "ada@home.example"
    assert body["survivor"]["id"] == survivor.pk
    assert body["survivor"]["company"] == "Analytical Engines"
    assert body["chosen"]["company"] == "merged" and body["chosen"]["phone"] == "survivor"
    assert not Lead.objects.filter(pk=merged.pk).exists()
    # The merged-away id is gone for reads too.
    assert token_client(rep).get(f"/api/v1/leads/{merged.pk}/").status_code == 404
