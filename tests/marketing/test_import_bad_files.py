"""Files that are not what they should be: a clear message, never a 500, nothing written."""

import codecs

import pytest
from django.core.exceptions import ValidationError

from leads.models import Lead
from marketing.imports import services
from marketing.imports.reader import mapping_check, suggest_mapping
from marketing.models import ImportJob
from tests.marketing.imports import job_from, report_lines, run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(media_root):
    return media_root


def refused(content: bytes, **kwargs) -> str:
    with pytest.raises(ValidationError) as error:
        job_from(content, **kwargs)
    assert not ImportJob.objects.exists()
    return " ".join(error.value.message_dict["file"])


def test_empty_file():
    assert refused(b"") == "The file is empty."
    assert refused(b"\n\n  \n") == "The file is empty."


def test_binary_file():
    xlsx = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + bytes(range(256)) * 10
    assert "binary file" in refused(xlsx)


def test_wrong_encoding_says_which_to_choose():
    message = refused("email,name\nzoë@example.com,Zoë\n".encode("cp1252"))
    assert "not valid UTF-8" in message and "Windows-1252" in message


def test_header_with_broken_quoting():
    assert "header line has broken quoting" in refused(b'"email,name\n')


def test_too_many_columns():
    assert "at most 200" in refused((",".join(f"c{i}" for i in range(201)) + "\n").encode())


def test_header_only_fails_the_run_with_a_message():
    job = run(job_from("email,first_name\n"))
    assert job.status == ImportJob.Status.FAILED
    assert job.message == "The file has a header but no lines with leads."


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        (["first_name", ""], "Choose the column that holds the email address"),
        (["email", "email"], "Each field can come from one column only: Email."),
        (["email"], "Map every column"),
        (["email", "password"], "Unknown lead fields: password."),
    ],
)
def test_mapping_must_name_the_email_once(mapping, message):
    job = job_from("a,b\nx@example.com,y\n")
    with pytest.raises(ValidationError) as error:
        services.import_job_start(
            job=job, mapping=mapping, delimiter=",", dry_run=False, skip_bad_lines=False
        )
    assert message in " ".join(error.value.messages)
    assert ImportJob.objects.get().status == ImportJob.Status.UPLOADED


def test_a_10_mb_line_is_a_bad_line_and_the_rest_is_read():
    content = (
        "email,company\n"
        + "before@example.com,A\n"
        + "huge@example.com,"
        + "x" * (10 * 1024 * 1024)
        + "\n"
        + "after@example.com,B\n"
    )
    job = run(job_from(content), skip_bad_lines=True)
    assert job.status == ImportJob.Status.DONE
    assert [(line[0], line[1]) for line in report_lines(job)] == [
        ("3", "The line is longer than 1,000,000 characters.")
    ]
    assert sorted(Lead.objects.values_list("email", flat=True)) == [
        "after@example.com",
        "before@example.com",
    ]


def test_an_unclosed_quote_at_the_end_is_a_bad_line():
    job = run(
        job_from('email,company\nok@example.com,A\nbad@example.com,"never closed\n'),
        skip_bad_lines=True,
    )
    assert job.status == ImportJob.Status.DONE
    assert report_lines(job)[0][0] == "3" and "Broken quoting" in report_lines(job)[0][1]
    assert list(Lead.objects.values_list("email", flat=True)) == ["ok@example.com"]


def test_an_unclosed_quote_costs_only_its_own_line():
    good = "".join(f"p{i}@example.com,Company {i}\n" for i in range(500))
    content = 'email,company\nfirst@example.com,A\nbroken@example.com,"never closed\n' + good
    job = run(job_from(content), skip_bad_lines=True)
    assert job.status == ImportJob.Status.DONE
    assert [(line[0], line[1][:34]) for line in report_lines(job)] == [
        ("3", "A quote opened on this line is not")
    ]
    assert Lead.objects.count() == 501
    assert Lead.objects.get(email="p0@example.com").company == "Company 0"


def test_a_quoted_field_may_span_a_few_lines():
    job = run(job_from('email,company\na@example.com,"Two\nlines"\nb@example.com,B\n'))
    assert job.status == ImportJob.Status.DONE and job.rows_bad == 0
    assert Lead.objects.get(email="a@example.com").company == "Two\nlines"
    assert Lead.objects.filter(email="b@example.com").exists()


def test_extra_fields_and_nul_bytes_are_bad_lines():
    job = run(
        job_from("email,company\na@example.com,A,surplus\nb@example.com,B\x00\nc@example.com,C,\n"),
        skip_bad_lines=True,
    )
    reasons = {line[0]: line[1] for line in report_lines(job)}
    assert reasons == {"2": "3 fields; the header has 2.", "3": "Company contains a NUL byte."}
    # A trailing empty field is harmless.
    assert Lead.objects.filter(email="c@example.com").exists()


def test_utf16_with_bom_semicolons_and_spreadsheet_headers():
    content = "E-mail address;Given name;Company size\nada@example.com;Ada;51 - 200\n"
    job = job_from(codecs.BOM_UTF16_LE + content.encode("utf-16-le"))
    assert job.delimiter == ";"
    assert job.mapping == ["email", "first_name", "company_size"]
    job = run(job)
    assert job.status == ImportJob.Status.DONE, job.message
    assert Lead.objects.values_list("first_name", "company_size").get() == ("Ada", "51-200")


def test_suggested_mapping_uses_each_field_once():
    assert suggest_mapping(["Email", "email", "First Name", "Surname", "Notes"]) == [
        "email",
        "",
        "first_name",
        "last_name",
        "",
    ]


def test_mapping_check_accepts_a_good_mapping():
    mapping_check(["email", "", "stage"], columns=3)
