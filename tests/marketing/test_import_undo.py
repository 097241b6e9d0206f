"""Undo of a CSV import, for 30 days: the leads it created that nobody changed since are
deleted, the fields it changed are restored from field history unless changed again, and
the report says what could not be reverted and why; stage moves are listed, not reversed."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from leads import services
from leads.merge_policy import WriteOrigin
from leads.models import ChangeSource, Lead, LeadChange
from marketing.imports.undo import import_job_undo
from tests.factories import LeadFactory
from tests.marketing.imports import job_from, run

pytestmark = pytest.mark.django_db

RAN = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
FILE = (
    "email,first_name,company,stage\n"
    "new1@example.com,New,One,\n"
    "new2@example.com,New,Two,\n"
    "old@example.com,Olga,Acme,\n"
    "moved@example.com,,,prospect\n"
)


@pytest.fixture
def imported(marketer):
    old = LeadFactory(email="old@example.com", first_name="Olivia", company="", owner=None)
    LeadFactory(email="moved@example.com", owner=None)
    with time_machine.travel(RAN, tick=False):
        job = run(job_from(FILE, user=marketer))
    assert (job.leads_new, job.leads_changed, job.leads_moved) == (2, 1, 1)
    return job, old


def undo(job, actor, *, at=RAN + timedelta(days=1)):
    with time_machine.travel(at, tick=False):
        return import_job_undo(job=job, actor=actor, now=at)


def test_untouched_leads_go_and_changed_fields_come_back(imported, marketer):
    job, old = imported
    report = undo(job, marketer)
    assert not Lead.objects.filter(email__startswith="new").exists()
    old.refresh_from_db()
    assert (old.first_name, old.company) == ("Olivia", "")
    assert (report["deleted"], report["restored"], report["kept"], report["not_restored"]) == (
        2,
        2,
        0,
        0,
    )
    restored = LeadChange.objects.filter(lead=old, request_id=f"undo of import {job.pk}")
    assert set(restored.values_list("field", "old_value", "new_value")) == {
        ("first_name", "Olga", "Olivia"),
        ("company", "Acme", ""),
    }
    # Stage moves are listed, not reversed.
    assert report["stage_moves"] == 1
    assert report["stage_move_examples"][0]["email"] == "moved@example.com"
    assert Lead.objects.get(email="moved@example.com").stage == "prospect"
    job.refresh_from_db()
    assert job.undone_by == marketer and job.undo_report == report


def test_what_changed_since_is_kept_and_reported(imported, marketer, manager):
    job, old = imported
    new1 = Lead.objects.get(email="new1@example.com")
    with time_machine.travel(RAN + timedelta(hours=2), tick=False):
        origin = WriteOrigin(source=ChangeSource.WEB, actor=manager)
        services.lead_update(lead=new1, data={"title": "CTO"}, origin=origin)
        services.lead_update(lead=old, data={"company": "Acme Corp"}, origin=origin)
    report = undo(job, marketer)
    assert Lead.objects.filter(email="new1@example.com").exists()
    assert not Lead.objects.filter(email="new2@example.com").exists()
    old.refresh_from_db()
    assert (old.first_name, old.company) == ("Olivia", "Acme Corp")
    assert report["kept"] == 1 and "field changes" in report["kept_examples"][0]["reason"]
    assert report["not_restored"] == 1
    assert report["not_restored_examples"][0] == {
        "lead_id": old.pk,
        "field": "company",
        "import_value": "Acme",
        "reason": "changed again since the import",
    }


def test_refused_after_30_days_twice_or_for_a_dry_run(imported, marketer):
    job, _ = imported
    with pytest.raises(ValidationError, match="30 days"):
        undo(job, marketer, at=RAN + timedelta(days=30, seconds=1))
    assert Lead.objects.filter(email="new1@example.com").exists()
    undo(job, marketer, at=RAN + timedelta(days=29))
    with pytest.raises(ValidationError, match="already been undone"):
        undo(job, marketer, at=RAN + timedelta(days=29))
    with time_machine.travel(RAN, tick=False):
        dry = run(job_from(FILE, user=marketer), dry_run=True)
    with pytest.raises(ValidationError, match="Only an import that wrote"):
        undo(dry, marketer)


def test_the_import_page_offers_undo_and_shows_the_report(imported, marketer, client):
    job, _ = imported
    page = reverse("marketing:import-detail", args=[job.pk])
    with time_machine.travel(RAN + timedelta(days=1), tick=False):
        client.force_login(marketer)
        assert 'id="import-undo"' in client.get(page).content.decode()
        response = client.post(reverse("marketing:import-undo", args=[job.pk]))
        assert response.status_code == 302
        html = client.get(page).content.decode()
    assert 'id="import-undo-report"' in html
    assert "2 created leads deleted" in html
