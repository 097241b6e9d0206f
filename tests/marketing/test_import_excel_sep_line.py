"""An Excel "sep=;" first line names the separator: it is not the header, and line numbers
stay the file's own."""

import pytest

from leads.models import Lead
from marketing.imports import services
from marketing.models import ImportJob
from tests.marketing.imports import job_from, report_lines, run

pytestmark = pytest.mark.django_db
CONTENT = "sep=;\nemail;company\na@example.com;Acme, Inc\nnot-an-address;B\nb@example.com;C\n"


@pytest.fixture(autouse=True)
def _media(media_root):
    return media_root


def test_the_preview_reads_the_header_from_line_two():
    job = job_from(CONTENT)
    preview = services.import_job_preview(job=job)

    assert (preview.delimiter, preview.columns) == (";", ["email", "company"])
    assert preview.suggested == ["email", "company"]
    assert preview.lines == [3, 4, 5]


def test_the_run_imports_every_line_after_the_header():
    job = run(job_from(CONTENT), skip_bad_lines=True)

    assert job.status == ImportJob.Status.DONE
    assert dict(Lead.objects.values_list("email", "company")) == {
        "a@example.com": "Acme, Inc",
        "b@example.com": "C",
    }
    assert [line[0] for line in report_lines(job)] == ["4"]


def test_an_ordinary_first_line_is_still_the_header():
    job = run(job_from("email,sep\na@example.com,x\n"), mapping=["email", ""])
    assert job.status == ImportJob.Status.DONE
    assert list(Lead.objects.values_list("email", flat=True)) == ["a@example.com"]


def test_a_tab_named_by_the_sep_line_is_the_separator():
    job = job_from("sep=\t\nemail\tcompany\na@example.com\tAcme, Inc\n")
    assert services.import_job_preview(job=job).columns == ["email", "company"]
