"""The import pages say what they mean: the header is not a line read, no campaign reads
"No campaign", deleting asks first, and a finished import links to its leads."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from marketing.models import ImportJob
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(client, marketer, media_root):
    client.force_login(marketer)
    return client


def test_a_finished_import_counts_data_lines_and_links_to_its_leads(
    browser, eager_tasks, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory(name="Expo 2026")
    response = browser.post(
        reverse("marketing:import-list"),
        {
            "file": SimpleUploadedFile("list.csv", b"Email\na@example.com\nb@example.com\n"),
            "encoding": "utf-8",
        },
    )
    url = response["Location"]
    page = browser.get(url).content.decode()
    assert '<option value="" selected>No campaign</option>' in page
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(
            url,
            {"delimiter": ",", "column_0": "email", "campaign": campaign.pk, "action": "import"},
        )
    job = ImportJob.objects.get()
    assert job.status == "done", job.message
    assert job.lines_read == 2  # two leads; the header is not counted

    page = browser.get(url).content.decode()
    assert f"?source_campaign={campaign.pk}&amp;sort=-created" in page
    assert "See the leads of Expo 2026" in page
    assert 'data-confirm="Delete this import' in page
