"""A CSV import announces each lead it creates with exactly one `lead.created` event, in
its own transaction, and nothing for the leads it only updates (issue 11)."""

import pytest

from integrations.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from leads.models import Lead
from tests.factories import LeadFactory
from tests.marketing.imports import job_from, run

pytestmark = pytest.mark.django_db

FILE = (
    "email,first_name,company,stage\n"
    "old@example.com,Olga,Updated,\n"
    "new1@example.com,Nina,First,\n"
    "new2@example.com,Ned,,prospect\n"
    "NEW1@example.com,Nina,Again,\n"
)


@pytest.fixture
def endpoints(db):
    return [
        WebhookEndpoint.objects.create(url="https://93.184.216.34/a", events=["lead.created"]),
        WebhookEndpoint.objects.create(
            url="https://93.184.216.34/b", events=["lead.created", "lead.stage_changed"]
        ),
    ]


def test_each_lead_the_import_creates_gets_one_event(marketer, endpoints):
    LeadFactory(email="old@example.com")

    job = run(job_from(FILE, user=marketer))

    assert job.status == "done", job.message
    assert job.leads_new == 2
    new = {lead.email: lead for lead in Lead.objects.filter(email__startswith="new")}
    events = WebhookEvent.objects.filter(type="lead.created")
    assert sorted(e.lead_id for e in events) == sorted(lead.pk for lead in new.values())
    by_email = {e.data["lead"]["email"]: e for e in events}
    nina = by_email["new1@example.com"]
    assert nina.data["lead"] == {
        "id": new["new1@example.com"].pk,
        "email": "new1@example.com",
        "first_name": "Nina",
        "last_name": "",
        "company": "Again",
        "stage": "lead",
        "owner_id": None,
    }
    assert nina.occurred_at == new["new1@example.com"].created_at
    deliveries = WebhookDelivery.objects.filter(event__type="lead.created")
    assert sorted(deliveries.values_list("event__lead_id", "endpoint_id")) == sorted(
        (lead.pk, endpoint.pk) for lead in new.values() for endpoint in endpoints
    )
    assert all(d.is_head and d.status == "pending" for d in deliveries)


def test_the_created_event_goes_out_before_the_stage_change(marketer, endpoints):
    job = run(job_from(FILE, user=marketer))

    ned = Lead.objects.get(email="new2@example.com")
    assert job.leads_moved == 1
    queue = WebhookDelivery.objects.filter(ordering_key=ned.pk, endpoint=endpoints[1])
    assert [(d.event.type, d.is_head) for d in queue.order_by("id")] == [
        ("lead.created", True),
        ("lead.stage_changed", False),
    ]


def test_a_dry_run_or_a_file_of_known_leads_announces_nothing(marketer, endpoints):
    for email in ("old@example.com", "new1@example.com", "new2@example.com"):
        LeadFactory(email=email)

    run(job_from(FILE, user=marketer), dry_run=True)
    job = run(job_from(FILE, user=marketer))

    assert job.leads_new == 0
    assert not WebhookEvent.objects.filter(type="lead.created").exists()


def test_without_a_subscriber_the_import_writes_no_event(marketer):
    WebhookEndpoint.objects.create(url="https://93.184.216.34/a", events=["deal.won"])
    LeadFactory(email="old@example.com")

    job = run(job_from(FILE, user=marketer))

    assert job.leads_new == 2
    assert not WebhookEvent.objects.exists()
