import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from leads import services
from leads.models import Lead
from tests.api.clients import token_client
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

DUPLICATE = {"email": ["A lead with this email address already exists."]}


@pytest.mark.parametrize(
    "sent", ["taken@example.com", "TAKEN@EXAMPLE.COM", "Taken@Example.com", "  taken@example.com "]
)
def test_creating_an_existing_email_in_any_case_is_400_on_email(marketer, sent):
    LeadFactory(email="taken@example.com")

    response = token_client(marketer).post("/api/v1/leads/", {"email": sent})

    assert response.status_code == 400
    assert response.json() == DUPLICATE
    assert Lead.objects.count() == 1


def test_changing_email_to_another_leads_is_400_and_changes_nothing(marketer):
    LeadFactory(email="taken@example.com")
    lead = LeadFactory(email="mine@example.com", company="Mine")

    response = token_client(marketer).patch(
        f"/api/v1/leads/{lead.pk}/", {"email": "Taken@EXAMPLE.com", "company": "Changed"}
    )

    assert response.status_code == 400
    assert response.json() == DUPLICATE
    lead.refresh_from_db()
    assert (lead.email, lead.company) == ("mine@example.com", "Mine")


def test_keeping_ones_own_email_in_another_case_is_fine(marketer):
    lead = LeadFactory(email="mine@example.com")

    response = token_client(marketer).patch(
        f"/api/v1/leads/{lead.pk}/", {"email": "MINE@example.com"}
    )

    assert response.status_code == 200
    assert response.json()["email"] == "mine@example.com"


def test_the_unique_index_firing_inside_a_transaction_is_a_validation_error(db):
    # What a request that lost the race sees: no pre-check, the index decides, and the
    # caller's transaction stays usable after the savepoint rolls back.
    LeadFactory(email="taken@example.com")

    with transaction.atomic():
        with pytest.raises(ValidationError) as caught:
            services.lead_create(email="TAKEN@example.com")
        assert Lead.objects.count() == 1

    assert caught.value.message_dict == DUPLICATE
