"""The import page: a mode per field for leads that exist, and the dry run's field diff."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from marketing.models import ImportJob
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_modes_are_kept_and_the_dry_run_lists_old_and_new(
    client, marketer, rep, media_root, eager_tasks, django_capture_on_commit_callbacks
):
    LeadFactory(email="peggy@example.com", first_name="Peggy", company="", owner=rep)
    client.force_login(marketer)
    response = client.post(
        reverse("marketing:import-list"),
        {
            "file": SimpleUploadedFile(
                "list.csv", b"Email,First name,Company\npeggy@example.com,Dmitri,Helios Solar\n"
            ),
            "encoding": "utf-8",
        },
    )
    url = response["Location"]
    page = client.get(url).content.decode()
    assert "When a lead already exists" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url,
            {
                "delimiter": ",",
                "column_0": "email",
                "column_1": "first_name",
                "column_2": "company",
                "mode_first_name": "skip",
                "action": "dry_run",
            },
        )

    job = ImportJob.objects.get()
    assert job.column_modes == {"first_name": "skip"}
    page = client.get(url).content.decode()
    assert "Field changes to existing leads" in page
    assert "Helios Solar" in page and "Dmitri" not in page.split("Field changes")[1][:2000]
    assert "company 1" in page
