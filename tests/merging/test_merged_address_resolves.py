"""After a merge the merged-away address reaches the survivor: bulk upserts, captures and
CSV imports merge into it instead of bringing the duplicate back, and creating a lead
with that address is a duplicate."""

from rest_framework.test import APIClient

from leads.merging.services import leads_merge
from leads.models import Lead, LeadChange
from marketing.models import Touch
from tests.api.clients import token_client
from tests.factories import CampaignFactory
from tests.marketing.imports import job_from, run
from tests.merging.conftest import NOW


def merged_pair(duplicates, manager):
    survivor, merged = duplicates
    leads_merge(survivor=survivor, merged=merged, field_choices={}, actor=manager, now=NOW)
    survivor.refresh_from_db()
    return survivor


def test_bulk_upsert_of_the_old_address_updates_the_survivor(duplicates, manager):
    survivor = merged_pair(duplicates, manager)
    response = token_client(manager).post(
        "/api/v1/leads/bulk/",
        {"leads": [{"email": "ADA@home.example", "title": "Countess"}]},
        format="json",
    )
    assert response.status_code == 200, response.content
    (result,) = response.json()["results"]
    assert (result["status"], result["id"]) == ("updated", survivor.pk)
    assert Lead.objects.count() == 1
    survivor.refresh_from_db()
    assert survivor.title == "Countess"


def test_capture_with_the_old_address_lands_on_the_survivor(duplicates, manager):
    survivor = merged_pair(duplicates, manager)
    campaign = CampaignFactory()
    response = APIClient().post(
        "/api/v1/capture/",
        {"key": campaign.capture_key, "email": "ada@home.example", "title": "Countess"},
        format="json",
    )
    assert response.status_code == 201
    assert Lead.objects.count() == 1
    assert Touch.objects.filter(lead=survivor, kind="form_submit").exists()


def test_import_of_the_old_address_updates_the_survivor(duplicates, manager, marketer):
    survivor = merged_pair(duplicates, manager)
    job = run(job_from("email,title\nada@home.example,Countess\n", user=marketer))
    assert (job.leads_new, job.leads_existing) == (0, 1)
    assert Lead.objects.count() == 1
    assert LeadChange.objects.filter(lead=survivor, field="title", import_job_id=job.pk).exists()


def test_creating_a_lead_with_the_old_address_is_a_duplicate(duplicates, manager):
    merged_pair(duplicates, manager)
    response = token_client(manager).post(
        "/api/v1/leads/", {"email": "ada@home.example"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["email"] == ["A lead with this email address already exists."]
