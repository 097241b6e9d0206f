"""Spend CSV amounts: read in the file's number format, never off by a factor of 100."""

from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from marketing.models import Spend
from marketing.spend_csv import COMMA, POINT, SpendFileInvalid, spend_import_csv
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    # Spend days are checked against the site's today.
    with time_machine.travel("2026-12-04 12:00:00+00:00", tick=False):
        yield


def upload(text: str, **kwargs) -> list[Decimal]:
    campaign = CampaignFactory()
    file = SimpleUploadedFile("spend.csv", text.encode())
    rows = spend_import_csv(campaign=campaign, upload=file, **kwargs)
    return [row.amount for row in rows]


def refused(text: str, **kwargs) -> list[str]:
    with pytest.raises(SpendFileInvalid) as raised:
        upload(text, **kwargs)
    assert not Spend.objects.exists()
    return raised.value.messages


def test_semicolon_files_read_a_decimal_comma():
    text = "day;amount;note\n2026-11-14;25,50;x\n2026-11-15;1.234,56;y\n2026-11-16;7;z\n"
    assert upload(text) == [Decimal("25.50"), Decimal("1234.56"), Decimal("7")]


def test_comma_files_read_a_decimal_point_and_thousands():
    text = 'day,amount\n2026-11-14,25.50\n2026-11-15,"1,234.56"\n2026-11-16,"1,000"\n'
    assert upload(text) == [Decimal("25.50"), Decimal("1234.56"), Decimal("1000")]


def test_a_decimal_comma_in_a_decimal_point_file_is_refused_with_its_line():
    messages = refused('day,amount\n2026-11-14,10\n2026-11-15,"25,50"\n')
    assert len(messages) == 1
    assert messages[0].startswith("Line 3: amount '25,50' is ambiguous")
    assert "1.234,56" in messages[0] and "number format" in messages[0]


def test_amounts_that_read_only_the_other_way_are_refused():
    messages = refused("day;amount\n2026-11-14;1,234\n2026-11-15;99.5\n2026-11-16;1.5.0\n")
    assert [m.split(":")[0] for m in messages] == ["Line 2", "Line 3", "Line 4"]
    assert "ambiguous" in messages[0] and "ambiguous" in messages[1]
    assert "is not an amount like 1.234,56" in messages[2]


def test_a_chosen_number_format_wins_over_the_separator():
    assert upload("day;amount\n2026-11-14;1,234.50\n", number_format=POINT) == [Decimal("1234.50")]
    assert upload('day,amount\n2026-11-14,"25,5"\n', number_format=COMMA) == [Decimal("25.5")]


def test_the_upload_page_passes_the_chosen_format(client, marketer):
    client.force_login(marketer)
    campaign = CampaignFactory()
    file = SimpleUploadedFile("spend.csv", b'day,amount\n2026-11-14,"25,50"\n')
    client.post(
        reverse("marketing:spend-upload", args=[campaign.pk]),
        {"file": file, "number_format": "comma"},
    )
    assert list(Spend.objects.values_list("amount", flat=True)) == [Decimal("25.50")]


def test_an_excel_sep_line_sets_the_separator_and_is_not_the_header():
    text = "sep=;\nday;amount;note\n2026-11-14;25,50;a, b\n2026-11-15;x;\n"
    messages = refused(text)
    # Line numbers are the file's own: "sep=;" is line 1, the header line 2.
    assert messages == ["Line 4: amount 'x' is not an amount like 1.234,56."]
    assert upload("SEP=,\nday,amount\n2026-11-14,3.5\n") == [Decimal("3.5")]
