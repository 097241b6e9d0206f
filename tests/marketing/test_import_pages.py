"""The import pages: upload, preview and mapping, progress, report."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from leads.models import Lead
from marketing.models import ImportJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(client, marketer, media_root):
    client.force_login(marketer)
    return client


def upload(browser, content: bytes, encoding="utf-8"):
    return browser.post(
        reverse("marketing:import-list"),
        {"file": SimpleUploadedFile("list.csv", content), "encoding": encoding},
    )


def test_upload_preview_dry_run_import_and_report(
    browser, eager_tasks, django_capture_on_commit_callbacks
):
    response = upload(browser, b"Email,Name,Stage\nada@example.com,Ada,\nbad,Bob,\n")
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("marketing:import-detail", args=[job.pk])

    page = browser.get(response["Location"]).content.decode()
    assert "ada@example.com" in page and "Map the columns" in page
    mapping = {"delimiter": ",", "column_0": "email", "column_1": "first_name", "column_2": "stage"}

    with django_capture_on_commit_callbacks(execute=True):
        browser.post(response["Location"], {**mapping, "action": "dry_run"})
    job.refresh_from_db()
    assert job.status == "checked" and not Lead.objects.exists()
    page = browser.get(response["Location"]).content.decode()
    assert "Dry run finished" in page and "download the report" in page

    with django_capture_on_commit_callbacks(execute=True):
        browser.post(response["Location"], {**mapping, "skip_bad_lines": "on", "action": "import"})
    job.refresh_from_db()
    assert job.status == "done", job.message
    assert Lead.objects.get().first_name == "Ada"

    report = browser.get(reverse("marketing:import-report", args=[job.pk]))
    body = b"".join(report.streaming_content).decode()
    assert body.splitlines()[0] == "line,reason,content"
    assert body.splitlines()[1].startswith("3,")


def test_bad_upload_shows_the_reason(browser):
    response = upload(browser, b"PK\x03\x04" + bytes(range(40)) * 50)
    assert response.status_code == 400
    assert "binary file" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_mapping_without_email_is_refused(browser):
    job_url = upload(browser, b"a,b\nx@example.com,y\n")["Location"]
    response = browser.post(
        job_url, {"delimiter": ",", "column_0": "", "column_1": "first_name", "action": "import"}
    )
    assert response.status_code == 400
    assert "email address: it is required" in response.content.decode()
    assert ImportJob.objects.get().status == "uploaded"


def test_changing_the_separator_re_reads_the_columns(browser):
    job_url = upload(browser, b"email;first_name\nx@example.com;X\n")["Location"]
    page = browser.post(job_url, {"delimiter": "\t", "action": "reread"}).content.decode()
    assert 'name="column_1"' not in page  # one column when split on tabs
    page = browser.post(job_url, {"delimiter": ";", "action": "reread"}).content.decode()
    assert 'name="column_1"' in page


def test_progress_partial_polls_until_finished(browser):
    job_url = upload(browser, b"email\nx@example.com\n")["Location"]
    job = ImportJob.objects.get()
    job.status, job.bytes_read = "reading", job.size // 2
    job.save()
    partial = browser.get(
        reverse("marketing:import-progress", args=[job.pk]), HTTP_HX_REQUEST="true"
    )
    assert 'hx-trigger="every 1s"' in partial.content.decode()
    assert (
        'aria-valuenow="50"' in partial.content.decode()
        or 'aria-valuenow="47"' in partial.content.decode()
    )
    job.status = "done"
    job.save()
    partial = browser.get(
        reverse("marketing:import-progress", args=[job.pk]), HTTP_HX_REQUEST="true"
    )
    assert partial["HX-Refresh"] == "true" and "every 1s" not in partial.content.decode()
    assert browser.get(job_url).status_code == 200


def test_delete_an_import(browser):
    upload(browser, b"email\nx@example.com\n")
    job = ImportJob.objects.get()
    path = job.file.path
    browser.post(reverse("marketing:import-delete", args=[job.pk]))
    assert not ImportJob.objects.exists()
    import os

    assert not os.path.exists(path)
