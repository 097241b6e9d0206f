import pytest

from funnel.stages import Stage
from leads.models import Lead
from tests.api.clients import token_client
from tests.factories import CampaignFactory, LeadFactory

pytestmark = pytest.mark.django_db

LEAD_KEYS = {
    "id",
    "email",
    "first_name",
    "last_name",
    "company",
    "title",
    "phone",
    "country",
    "industry",
    "company_size",
    "stage",
    "stage_changed_at",
    "owner",
    "owner_username",
    "source_campaign",
    "score",
    "marketing_consent",
    "marketing_consent_at",
    "became_prospect_at",
    "became_customer_at",
    "created_at",
    "updated_at",
}


def test_create_returns_201_with_the_lead_in_stage_lead(marketer):
    campaign = CampaignFactory()

    response = token_client(marketer).post(
        "/api/v1/leads/",
        {
            "email": "  Ada.Lovelace@Example.COM ",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "company": "Analytical Engines",
            "title": "CTO",
            "phone": "+44 20 7946 0000",
            "country": "GB",
            "industry": "Computing",
            "company_size": "11-50",
            "source_campaign": campaign.pk,
            "marketing_consent": True,
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == LEAD_KEYS
    lead = Lead.objects.get()
    assert body["id"] == lead.pk
    assert lead.email == "ada.lovelace@example.com"
    assert (lead.first_name, lead.company, lead.company_size) == (
        "Ada",
        "Analytical Engines",
        "11-50",
    )
    assert lead.source_campaign == campaign
    assert lead.stage == Stage.LEAD
    assert lead.marketing_consent and lead.marketing_consent_at is not None
    assert body["owner"] is None and body["owner_username"] is None
    assert body["source_campaign"] == campaign.pk


def test_a_rep_owns_the_leads_they_create(rep):
    response = token_client(rep).post("/api/v1/leads/", {"email": "new@example.com"})

    assert response.status_code == 201
    assert response.json()["owner"] == rep.pk
    assert response.json()["owner_username"] == rep.username
    assert Lead.objects.get().owner == rep


def test_a_manager_creates_unassigned_leads(manager):
    response = token_client(manager).post("/api/v1/leads/", {"email": "new@example.com"})

    assert response.status_code == 201
    assert Lead.objects.get().owner is None


def test_a_user_without_a_role_cannot_create(db):
    from tests.factories import UserFactory

    response = token_client(UserFactory()).post("/api/v1/leads/", {"email": "new@example.com"})

    assert response.status_code == 403
    assert not Lead.objects.exists()


def test_email_is_required(marketer):
    response = token_client(marketer).post("/api/v1/leads/", {"first_name": "Nobody"})

    assert response.status_code == 400
    assert response.json() == {"email": ["This field is required."]}


def test_read_one_lead(manager):
    lead = LeadFactory(owner=manager, company="Acme")

    response = token_client(manager).get(f"/api/v1/leads/{lead.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == LEAD_KEYS
    assert (body["id"], body["email"], body["company"]) == (lead.pk, lead.email, "Acme")
    assert (body["owner"], body["owner_username"]) == (manager.pk, manager.username)


def test_patch_changes_only_the_fields_sent(rep):
    lead = LeadFactory(owner=rep, company="Old", title="Engineer")

    response = token_client(rep).patch(f"/api/v1/leads/{lead.pk}/", {"company": "New"})

    assert response.status_code == 200
    lead.refresh_from_db()
    assert (lead.company, lead.title) == ("New", "Engineer")
    assert response.json()["company"] == "New"


def test_put_sets_the_fields_sent_and_keeps_the_optional_ones_left_out(marketer):
    # DRF's PUT: required fields (email) must be present; omitted optional ones keep
    # their values rather than being blanked by a client that did not know them.
    lead = LeadFactory(company="Old", title="Engineer", phone="123")

    response = token_client(marketer).put(
        f"/api/v1/leads/{lead.pk}/",
        {"email": "Renamed@Example.com", "company": "New", "phone": ""},
    )

    assert response.status_code == 200
    lead.refresh_from_db()
    assert lead.email == "renamed@example.com"
    assert (lead.company, lead.title, lead.phone) == ("New", "Engineer", "")


def test_put_without_email_is_400(marketer):
    lead = LeadFactory()

    response = token_client(marketer).put(f"/api/v1/leads/{lead.pk}/", {"company": "New"})

    assert response.status_code == 400
    assert response.json() == {"email": ["This field is required."]}


def test_withdrawing_consent_clears_its_time(marketer):
    lead = LeadFactory()
    client = token_client(marketer)

    client.patch(f"/api/v1/leads/{lead.pk}/", {"marketing_consent": True})
    lead.refresh_from_db()
    assert lead.marketing_consent_at is not None

    client.patch(f"/api/v1/leads/{lead.pk}/", {"marketing_consent": False})
    lead.refresh_from_db()
    assert (lead.marketing_consent, lead.marketing_consent_at) == (False, None)


def test_manager_deletes_a_lead_and_its_history(manager):
    from funnel.models import StageChange
    from funnel.services import lead_transition
    from funnel.stages import Cause

    lead = LeadFactory()
    lead_transition(lead_id=lead.pk, to_stage=Stage.PROSPECT, cause=Cause.MANUAL)

    response = token_client(manager).delete(f"/api/v1/leads/{lead.pk}/")

    assert response.status_code == 204
    assert not Lead.objects.exists()
    assert not StageChange.objects.exists()


@pytest.mark.parametrize("who", ["marketer", "rep"])
def test_only_managers_delete(who, request):
    user = request.getfixturevalue(who)
    lead = LeadFactory(owner=user if who == "rep" else None)

    response = token_client(user).delete(f"/api/v1/leads/{lead.pk}/")

    assert response.status_code == 403
    assert response.json() == {"detail": "Only managers may delete leads."}
    assert Lead.objects.filter(pk=lead.pk).exists()


def test_unknown_id_is_404(manager):
    client = token_client(manager)

    assert client.get("/api/v1/leads/999999/").status_code == 404
    assert client.patch("/api/v1/leads/999999/", {"company": "X"}).status_code == 404
    assert client.delete("/api/v1/leads/999999/").status_code == 404
    assert client.get("/api/v1/leads/999999/").json() == {
        "detail": "No Lead matches the given query."
    }
