"""The bad-lines report: what came from the file is there, and stays text in a spreadsheet."""

import pytest

from leads.models import Lead
from marketing.models import ImportJob
from tests.marketing.imports import job_from, report_lines, run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(media_root):
    return media_root


def test_formula_cells_are_neutralised_in_the_report():
    content = (
        "email,company\n"
        '=HYPERLINK("http://evil.example"),A\n'
        "@SUM(A1),B\n"
        "+1+2,C\n"
        "-1-2,D\n"
        "ok@example.com,E\n"
    )
    job = run(job_from(content), skip_bad_lines=True)

    assert job.status == ImportJob.Status.DONE
    contents = [line[2] for line in report_lines(job)]
    assert contents == [
        '\'=HYPERLINK("http://evil.example"),A',
        "'@SUM(A1),B",
        "'+1+2,C",
        "'-1-2,D",
    ]
    assert list(Lead.objects.values_list("email", flat=True)) == ["ok@example.com"]


def test_lines_refused_for_broken_quoting_show_what_they_held():
    content = (
        "email,company\n"
        'stray@example.com,"Acme" Inc\n'
        'open@example.com,"never closed\n'
        "ok@example.com,E\n"
    )
    job = run(job_from(content), skip_bad_lines=True)

    assert [(line[0], line[2]) for line in report_lines(job)] == [
        ("2", 'stray@example.com,"Acme" Inc'),
        ("3", 'open@example.com,"never closed'),
    ]
    assert list(Lead.objects.values_list("email", flat=True)) == ["ok@example.com"]


def test_a_broken_quoting_line_starting_with_a_formula_is_neutralised_too():
    job = run(job_from('email,company\n=1+1,"x"y\n'), skip_bad_lines=True)
    assert report_lines(job)[0][2] == '\'=1+1,"x"y'
