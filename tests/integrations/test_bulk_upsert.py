"""`POST /api/v1/leads/bulk/`: upsert by email, a result per item, bad items alone fail."""

import pytest

from leads.models import Lead
from tests.api.clients import token_client
from tests.factories import CampaignFactory, LeadFactory
from tests.integrations.api_key_clients import api_key_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/leads/bulk/"


def test_new_emails_are_created_and_known_ones_updated(manager):
    existing = LeadFactory(email="ada@example.com", first_name="Ada", company="Old Co")

    response = token_client(manager).post(
        URL,
        {
            "leads": [
                {"email": "ADA@Example.com", "company": "New Co"},
                {"email": "grace@example.com", "first_name": "Grace", "title": "Admiral"},
            ]
        },
    )

    assert response.status_code == 200
    body = response.json()
    grace = Lead.objects.get(email="grace@example.com")
    assert body == {
        "created": 1,
        "updated": 1,
        "unchanged": 0,
        "refused": 0,
        "errors": 0,
        "results": [
            {
                "index": 0,
                "status": "updated",
                "id": existing.pk,
                "email": "ada@example.com",
                "errors": {},
            },
            {
                "index": 1,
                "status": "created",
                "id": grace.pk,
                "email": "grace@example.com",
                "errors": {},
            },
        ],
    }
    existing.refresh_from_db()
    # Only what the item carried changed.
    assert (existing.first_name, existing.company) == ("Ada", "New Co")
    assert (grace.first_name, grace.title, grace.stage, grace.owner) == (
        "Grace",
        "Admiral",
        "lead",
        None,
    )
    assert Lead.objects.count() == 2


def test_one_bad_item_does_not_block_the_others(manager):
    campaign = CampaignFactory()
    items = [
        {"email": "good@example.com", "source_campaign": campaign.pk},
        {"email": "not-an-email"},
        {"email": "long@example.com", "company": "x" * 201},
        {"email": "nul@example.com", "first_name": "a\x00b"},
        {"email": "size@example.com", "company_size": "huge"},
        {"email": "campaign@example.com", "source_campaign": 999999},
        {"first_name": "No email"},
        "not an object",
        {"email": "also-good@example.com", "marketing_consent": True},
    ]

    response = token_client(manager).post(URL, {"leads": items})

    assert response.status_code == 200
    results = response.json()["results"]
    assert [result["status"] for result in results] == [
        "created",
        "error",
        "error",
        "error",
        "error",
        "error",
        "error",
        "error",
        "created",
    ]
    assert [result["index"] for result in results] == list(range(9))
    assert set(results[1]["errors"]) == {"email"}
    assert set(results[2]["errors"]) == {"company"}
    assert set(results[3]["errors"]) == {"first_name"}
    assert set(results[4]["errors"]) == {"company_size"}
    assert results[5]["errors"] == {
        "source_campaign": ['Invalid pk "999999" - object does not exist.']
    }
    assert set(results[6]["errors"]) == {"email"}
    assert set(results[7]["errors"]) == {"non_field_errors"}
    assert set(Lead.objects.values_list("email", flat=True)) == {
        "good@example.com",
        "also-good@example.com",
    }
    good = Lead.objects.get(email="good@example.com")
    assert good.source_campaign == campaign
    consenting = Lead.objects.get(email="also-good@example.com")
    assert consenting.marketing_consent and consenting.marketing_consent_at is not None


@pytest.mark.parametrize(
    "body",
    [
        {"leads": []},
        {"leads": "everyone"},
        {"leads": {"email": "a@example.com"}},
        {},
        [{"email": "a@example.com"}],
        "leads",
    ],
    ids=["empty", "string", "object", "missing", "bare-array", "bare-string"],
)
def test_a_malformed_request_is_400_and_writes_nothing(manager, body):
    response = token_client(manager).post(URL, body, format="json")

    assert response.status_code == 400
    assert not Lead.objects.exists()


def test_more_than_1000_items_is_400_and_writes_nothing(manager):
    items = [{"email": f"lead{n}@example.com"} for n in range(1001)]

    response = token_client(manager).post(URL, {"leads": items})

    assert response.status_code == 400
    assert "leads" in response.json()
    assert not Lead.objects.exists()


def test_exactly_1000_items_are_accepted(manager):
    items = [{"email": f"lead{n}@example.com", "company": f"Co {n}"} for n in range(1000)]

    response = token_client(manager).post(URL, {"leads": items})

    assert response.status_code == 200
    assert response.json()["created"] == 1000
    assert Lead.objects.count() == 1000


def test_a_write_key_may_upsert_and_a_read_key_may_not():
    writer, _, _ = api_key_client("read_write")
    reader, _, _ = api_key_client("read")
    body = {"leads": [{"email": "a@example.com"}]}

    assert reader.post(URL, body).status_code == 403
    assert not Lead.objects.exists()
    assert writer.post(URL, body).json()["created"] == 1


def test_anonymous_is_401():
    from rest_framework.test import APIClient

    response = APIClient().post(URL, {"leads": [{"email": "a@example.com"}]})

    assert response.status_code == 401
    assert not Lead.objects.exists()


def test_a_retry_with_the_same_idempotency_key_writes_nothing_again(manager):
    client = token_client(manager)
    body = {"leads": [{"email": "a@example.com", "company": "First"}]}

    first = client.post(URL, body, HTTP_IDEMPOTENCY_KEY="bulk-1")
    Lead.objects.update(company="Edited meanwhile")
    retry = client.post(URL, body, HTTP_IDEMPOTENCY_KEY="bulk-1")

    assert retry.content == first.content
    assert Lead.objects.get().company == "Edited meanwhile"
