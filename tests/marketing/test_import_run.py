"""Running a CSV import: upsert by email, bad lines, dry run, stages, nothing half-written."""

from datetime import UTC, datetime

import pytest

from funnel.models import StageChange
from funnel.services import lead_transition
from funnel.stages import Cause
from leads.models import Lead
from marketing.imports import services
from marketing.models import ImportJob, ImportRow, Touch
from tests.factories import CampaignFactory, LeadFactory
from tests.marketing.imports import job_from, report_lines, run

pytestmark = pytest.mark.django_db

HEADER = "Email,First name,Last name,Company,Country,Consent\n"


@pytest.fixture(autouse=True)
def _media(media_root):
    return media_root


def test_new_and_existing_addresses_are_upserted_never_duplicated():
    existing = LeadFactory(email="ada@example.com", first_name="Ada", company="Old Co", country="")
    job = job_from(
        HEADER
        + "ADA@Example.com,,Lovelace,,UK,yes\n"
        + "grace@example.com,Grace,Hopper,Navy,US,\n"
        + "alan@example.com,Alan,Turing,,,no\n"
    )
    assert job.mapping == [
        "email",
        "first_name",
        "last_name",
        "company",
        "country",
        "marketing_consent",
    ]

    job = run(job)

    assert job.status == ImportJob.Status.DONE, job.message
    assert (job.leads_new, job.leads_existing, job.leads_changed, job.rows_bad) == (2, 1, 1, 0)
    assert Lead.objects.count() == 3
    existing.refresh_from_db()
    # Blank cells keep what the lead had; filled ones replace it; consent is timed.
    assert (existing.first_name, existing.last_name, existing.company, existing.country) == (
        "Ada",
        "Lovelace",
        "Old Co",
        "UK",
    )
    assert existing.marketing_consent and existing.marketing_consent_at is not None
    grace = Lead.objects.get(email="grace@example.com")
    assert (grace.stage, grace.company, grace.marketing_consent) == ("lead", "Navy", False)
    assert not ImportRow.objects.exists()  # staging emptied


def test_importing_the_same_file_again_changes_nothing():
    content = HEADER + "ada@example.com,Ada,Lovelace,AE,UK,yes\n"
    run(job_from(content))
    consent_at = Lead.objects.get().marketing_consent_at
    again = run(job_from(content))
    assert (again.leads_new, again.leads_existing, again.leads_changed) == (0, 1, 0)
    assert Lead.objects.get().marketing_consent_at == consent_at


def test_an_address_repeated_in_the_file_takes_its_last_line():
    job = run(
        job_from(HEADER + "a@example.com,First,,,,\nb@example.com,B,,,,\nA@example.com,Last,,,,\n")
    )
    assert (job.rows_valid, job.rows_repeated, job.leads_new) == (3, 1, 2)
    assert Lead.objects.get(email="a@example.com").first_name == "Last"


def test_bad_lines_stop_the_import_unless_the_user_chose_to_skip_them():
    content = (
        HEADER
        + "good@example.com,Good,,,,\n"
        + "not-an-email,Bad,,,,\n"
        + ",Missing,,,,\n"
        + "x@example.com,Bad consent,,,,perhaps\n"
        + "y@example.com,"
        + "n" * 101
        + ",,,,\n"
        + 'z@example.com,"broken"quote,,,,\n'
        + "also-good@example.com,,,,,\n"
    )
    refused = run(job_from(content))
    assert refused.status == ImportJob.Status.FAILED
    assert "5 bad lines" in refused.message and "nothing was imported" in refused.message
    assert not Lead.objects.exists()
    assert [line[0] for line in report_lines(refused)] == ["3", "4", "5", "6", "7"]

    kept = run(job_from(content), skip_bad_lines=True)
    assert kept.status == ImportJob.Status.DONE and kept.rows_bad == 5
    assert sorted(Lead.objects.values_list("email", flat=True)) == [
        "also-good@example.com",
        "good@example.com",
    ]
    reasons = {line[0]: line[1] for line in report_lines(kept)}
    assert "Enter a valid email address" in reasons["3"]
    assert reasons["4"] == "Email is missing."
    assert "Marketing consent 'perhaps'" in reasons["5"]
    assert reasons["6"] == "First name is longer than 100 characters."
    assert "Broken quoting" in reasons["7"]


def test_dry_run_reports_and_writes_nothing():
    LeadFactory(email="ada@example.com")
    job = run(
        job_from(HEADER + "ada@example.com,Ada,,,,\nnew@example.com,,,,,\nbad,,,,,\n"), dry_run=True
    )
    assert job.status == ImportJob.Status.CHECKED
    assert (job.leads_new, job.leads_existing, job.rows_bad) == (1, 1, 1)
    assert Lead.objects.count() == 1 and Lead.objects.get().first_name != "Ada"
    # After a dry run the same job can import for real.
    job = run(job, skip_bad_lines=True)
    assert job.status == ImportJob.Status.DONE and Lead.objects.count() == 2


def test_a_file_that_breaks_midway_leaves_nothing_behind(monkeypatch):
    monkeypatch.setattr(services, "BATCH_ROWS", 1000)
    good = "".join(f"person{i}@example.com,Person,,,,\n" for i in range(3500))
    # Valid UTF-8 for 3,500 lines (past the preview's sample, several committed staging
    # batches), then a Latin-1 byte.
    job = job_from((HEADER + good).encode() + "zoë@example.com,Zoë,,,,\n".encode("latin-1"))
    job = run(job, skip_bad_lines=True)
    assert job.status == ImportJob.Status.FAILED
    assert "Line 3,502 is not valid UTF-8" in job.message
    assert not Lead.objects.exists() and not ImportRow.objects.exists()


def test_the_right_encoding_reads_the_same_file(monkeypatch):
    job = job_from((HEADER + "zoe@example.com,Zoë,Ñúñez,,,\n").encode("cp1252"), encoding="cp1252")
    job = run(job)
    assert job.status == ImportJob.Status.DONE
    assert Lead.objects.get().first_name == "Zoë"


def test_stage_column_imports_prospects_and_customers_through_the_stage_writer():
    existing_prospect = LeadFactory(email="p@example.com")
    lead_transition(lead_id=existing_prospect.pk, to_stage="prospect", cause=Cause.MANUAL)
    content = (
        "email,stage\n"
        "new-prospect@example.com,Prospect\n"
        "new-customer@example.com,customer\n"
        "p@example.com,lost\n"
        "d@example.com,disqualified\n"
        "l@example.com,lead\n"
    )
    job = run(job_from(content))
    assert job.status == ImportJob.Status.DONE, job.message
    stages = dict(Lead.objects.values_list("email", "stage"))
    assert stages == {
        "new-prospect@example.com": "prospect",
        "new-customer@example.com": "customer",
        "p@example.com": "lost",
        "d@example.com": "disqualified",
        "l@example.com": "lead",
    }
    history = list(
        StageChange.objects.filter(lead__email="new-customer@example.com").values_list(
            "from_stage", "to_stage", "cause"
        )
    )
    assert history == [("lead", "prospect", "import"), ("prospect", "customer", "import")]
    assert StageChange.objects.filter(cause="import").count() == 5
    assert job.leads_moved == 4
    customer = Lead.objects.get(email="new-customer@example.com")
    assert customer.became_prospect_at and customer.became_customer_at


def test_campaign_and_touch_for_every_imported_lead():
    campaign = CampaignFactory(utm_campaign="expo-2025")
    sourced = LeadFactory(email="known@example.com", source_campaign=CampaignFactory())
    job = run(
        job_from("email\nnew@example.com\nknown@example.com\n"),
        campaign=campaign,
        touch_kind="event_attended",
    )
    assert job.status == ImportJob.Status.DONE
    assert Lead.objects.get(email="new@example.com").source_campaign == campaign
    assert Lead.objects.get(pk=sourced.pk).source_campaign != campaign  # first touch wins
    touches = Touch.objects.filter(kind="event_attended", campaign=campaign)
    assert sorted(touches.values_list("lead__email", flat=True)) == [
        "known@example.com",
        "new@example.com",
    ]
    assert set(touches.values_list("utm_campaign", flat=True)) == {"expo-2025"}


def test_created_date_from_the_file_for_new_leads():
    run(
        job_from("email,created\nold@example.com,2023-04-05\nts@example.com,2023-04-05T10:30:00Z\n")
    )
    assert Lead.objects.get(email="old@example.com").created_at == datetime(2023, 4, 5, tzinfo=UTC)
    assert Lead.objects.get(email="ts@example.com").created_at == datetime(
        2023, 4, 5, 10, 30, tzinfo=UTC
    )


def test_a_second_delivery_of_the_task_does_nothing():
    job = job_from(HEADER + "a@example.com,,,,,\n")
    services.import_job_start(
        job=job, mapping=job.mapping, delimiter=",", dry_run=False, skip_bad_lines=False
    )
    assert services.import_job_run(job_id=job.pk) is not None
    assert services.import_job_run(job_id=job.pk) is None
    assert Lead.objects.count() == 1


def test_a_finished_import_cannot_be_started_again():
    job = run(job_from(HEADER + "a@example.com,,,,,\n"))
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.import_job_start(
            job=job, mapping=job.mapping, delimiter=",", dry_run=False, skip_bad_lines=False
        )


def test_when_an_address_repeats_its_last_line_gives_the_stage():
    content = (
        "email,stage\n"
        "a@example.com,customer\n"
        "b@example.com,\n"
        "A@example.com,lead\n"
        "b@example.com,prospect\n"
    )
    job = run(job_from(content))
    assert job.status == ImportJob.Status.DONE, job.message
    assert dict(Lead.objects.values_list("email", "stage")) == {
        "a@example.com": "lead",
        "b@example.com": "prospect",
    }
    assert job.leads_moved == 1
