"""leads.services as other apps call it (CSV import, web capture, bulk upsert)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from leads import services
from leads.models import Lead
from tests.factories import CampaignFactory, LeadFactory

pytestmark = pytest.mark.django_db


def test_create_normalises_the_email_and_starts_in_stage_lead(marketer):
    lead = services.lead_create(
        email=" Mixed.Case@Example.COM ", company="Acme", created_by=marketer
    )

    assert lead.email == "mixed.case@example.com"
    assert (lead.stage, lead.owner, lead.company) == ("lead", None, "Acme")


def test_create_by_a_rep_is_owned_by_them(rep):
    assert services.lead_create(email="a@example.com", created_by=rep).owner == rep


def test_create_validates_fields_like_a_form():
    with pytest.raises(ValidationError) as caught:
        services.lead_create(email="a@example.com", company_size="enormous", first_name="x" * 101)

    assert set(caught.value.message_dict) == {"company_size", "first_name"}
    assert not Lead.objects.exists()


def test_create_with_an_invalid_email_is_an_error_on_email():
    with pytest.raises(ValidationError) as caught:
        services.lead_create(email="nobody")

    assert list(caught.value.message_dict) == ["email"]


def test_a_duplicate_inside_a_callers_transaction_leaves_it_usable():
    LeadFactory(email="taken@example.com")

    with transaction.atomic():
        with pytest.raises(ValidationError):
            services.lead_create(email="Taken@Example.com")
        created = services.lead_create(email="other@example.com")

    assert Lead.objects.filter(pk=created.pk).exists()


def test_update_saves_only_changed_fields_and_refuses_non_editable_ones(django_assert_num_queries):
    campaign = CampaignFactory()
    lead = LeadFactory(company="Old")

    with django_assert_num_queries(0):
        services.lead_update(lead=lead, data={"company": "Old"})  # no change, no write
    services.lead_update(lead=lead, data={"company": "New", "source_campaign": campaign})
    lead.refresh_from_db()
    assert (lead.company, lead.source_campaign) == ("New", campaign)
    with pytest.raises(TypeError):
        services.lead_update(lead=lead, data={"stage": "customer"})


def test_update_to_a_taken_email_is_an_error_on_email():
    LeadFactory(email="taken@example.com")
    lead = LeadFactory(email="mine@example.com")

    with pytest.raises(ValidationError) as caught:
        services.lead_update(lead=lead, data={"email": "TAKEN@example.com"})

    assert caught.value.message_dict == {"email": [services.DUPLICATE_EMAIL]}
    lead.refresh_from_db()
    assert lead.email == "mine@example.com"
