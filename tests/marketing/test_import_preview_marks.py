"""The import preview marks the lines a run would refuse, with the run's own reason, as
text (a "Bad line" label and the reason), not only a tint."""

import csv
import io
import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from marketing.models import ImportJob

pytestmark = pytest.mark.django_db

FILE = (
    b"Email,First name,Company size,Stage\n"
    b"ada@example.com,Ada,51-200,\n"  # line 2: good
    b"not-an-address,Bob,,\n"  # 3: bad email
    b"cyd@example.com,Cyd,huge,\n"  # 4: bad company size
    b"dee@example.com,Dee,,prospect\n"  # 5: good
    b"eve@example.com,Eve,,customer,extra\n"  # 6: one field too many
    b"\n"  # 7: blank, skipped by both
    b"fay@example.com,Fay,,maybe\n"  # 8: bad stage
)


@pytest.fixture
def browser(client, marketer, media_root):
    client.force_login(marketer)
    return client


def upload(browser, content: bytes) -> str:
    response = browser.post(
        reverse("marketing:import-list"),
        {"file": SimpleUploadedFile("list.csv", content), "encoding": "utf-8"},
    )
    return response["Location"]


def marked(html: str) -> dict[int, str]:
    """{line: reason} of the rows the preview marks bad."""
    problems = re.findall(
        r'<td id="line-(\d+)-problem" colspan="\d+"><span class="visually-hidden">'
        r"Line \d+: </span>(.*?)</td>",
        html,
    )
    return {int(line): unescape(reason) for line, reason in problems}


def row_lines(html: str) -> list[tuple[int, bool]]:
    """(line, labelled bad) per row of the preview table."""
    rows = re.findall(
        r'<tr( class="is-bad" aria-describedby="line-\d+-problem")?>\s*'
        r'<th scope="row" class="preview-line">(\d+)( <span class="badge badge-bad">Bad line'
        r"</span>)?</th>",
        html,
    )
    # A row tinted but not labelled (or the reverse) is left out, so the comparison fails.
    return [(int(line), bool(label)) for tint, line, label in rows if bool(tint) == bool(label)]


def report_of_a_dry_run(browser, job_url, django_capture_on_commit_callbacks) -> dict[int, str]:
    mapping = {
        "delimiter": ",",
        "column_0": "email",
        "column_1": "first_name",
        "column_2": "company_size",
        "column_3": "stage",
    }
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(job_url, {**mapping, "action": "dry_run"})
    job = ImportJob.objects.get()
    assert job.status == "checked", job.message
    report = browser.get(reverse("marketing:import-report", args=[job.pk]))
    lines = b"".join(report.streaming_content).decode()
    return {int(row["line"]): row["reason"] for row in csv.DictReader(io.StringIO(lines))}


def test_bad_lines_are_marked_with_the_reason_a_run_gives(
    browser, eager_tasks, django_capture_on_commit_callbacks
):
    job_url = upload(browser, FILE)
    html = browser.get(job_url).content.decode()

    assert row_lines(html) == [
        (2, False),
        (3, True),
        (4, True),
        (5, False),
        (6, True),
        (8, True),
    ]
    assert "4 of the first lines are bad with this mapping" in html
    assert 'aria-describedby="preview-summary"' in html
    preview = marked(html)
    assert set(preview) == {3, 4, 6, 8}
    assert preview[4].startswith("Company size 'huge' is not one of")
    assert preview[6] == "5 fields; the header has 4."

    # The very reasons the run writes in its report of bad lines.
    assert report_of_a_dry_run(browser, job_url, django_capture_on_commit_callbacks) == preview


def test_the_marks_follow_the_mapping_shown(browser):
    job_url = upload(browser, FILE)
    job = ImportJob.objects.get()
    job.mapping = ["email", "first_name", "", ""]  # Company size and Stage ignored.
    job.save()

    assert set(marked(browser.get(job_url).content.decode())) == {3, 6}


def test_a_line_the_preview_cannot_split_is_listed_with_its_reason(browser):
    job_url = upload(
        browser,
        b'email,first_name\nada@example.com,Ada\n"bob@example.com,Bob\ncyd@example.com,Cyd\n',
    )
    html = browser.get(job_url).content.decode()

    assert marked(html) == {3: marked(html)[3]}
    assert "quote opened on this line is not closed" in marked(html)[3]
    assert "Not split into columns" in html
    # The run reads line 4 again on its own (and finds it good); the preview stops there.
    assert row_lines(html) == [(2, False), (3, True)]


def test_a_clean_file_has_no_marks(browser):
    html = browser.get(upload(browser, b"email\nada@example.com\nbob@example.com\n")).content
    html = html.decode()
    assert row_lines(html) == [(2, False), (3, False)]
    assert "is-bad" not in html and "preview-summary" not in html
