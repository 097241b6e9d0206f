"""The lead lists link to the CSV export of exactly what they show: same filters, same
sort, same stage list."""

import csv
import io
import re
from html import unescape

import pytest
from django.urls import reverse

from funnel.services import lead_transition
from funnel.stages import Cause
from leads.models import Lead
from tests.factories import CampaignFactory, LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    expo = CampaignFactory(name="Expo")
    LeadFactory(email="ada@example.com", source_campaign=expo)
    LeadFactory(email="bob@example.com")
    LeadFactory(email="cyd@example.com", source_campaign=expo)
    for email in ("pat@example.com", "pam@example.com", "cus@example.com"):
        lead = LeadFactory(
            email=email, source_campaign=expo if email != "pam@example.com" else None
        )
        lead_transition(lead_id=lead.pk, to_stage="prospect", cause=Cause.MANUAL)
        if email == "cus@example.com":
            lead_transition(lead_id=lead.pk, to_stage="customer", cause=Cause.MANUAL)
    return expo


def export_link(html: str) -> str:
    match = re.search(r'<a class="btn btn-secondary btn-sm" href="([^"]+)" download', html)
    assert match, "no Export CSV link"
    assert "Export CSV</a>" in html[match.start() :]
    return unescape(match.group(1))


def listed_emails(html: str) -> list[str]:
    return re.findall(r'<span class="row-sub">([^<@]+@[^<]+)</span>', html)


def exported_emails(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return [row["email"] for row in csv.DictReader(io.StringIO(text))]


@pytest.mark.parametrize(
    ("url_name", "kind", "expected"),
    [
        (
            "leads:list",
            None,
            ["ada@example.com", "cyd@example.com", "pat@example.com", "cus@example.com"],
        ),
        ("leads:prospects", "prospects", ["pat@example.com"]),
        ("leads:customers", "customers", ["cus@example.com"]),
    ],
)
def test_each_list_exports_exactly_its_filtered_rows(
    client, marketer, world, url_name, kind, expected
):
    client.force_login(marketer)
    filters = {"source_campaign": world.pk, "sort": "created"}
    html = client.get(reverse(url_name), filters).content.decode()

    link = export_link(html)
    assert link.startswith(reverse("marketing:leads-export") + "?")
    assert f"source_campaign={world.pk}" in link and "sort=created" in link
    assert (f"list={kind}" in link) if kind else ("list=" not in link)
    assert listed_emails(html) == expected
    assert exported_emails(client, link) == expected


def test_the_link_follows_the_filters_changed_with_htmx(client, marketer, world):
    # The factory's random names and companies can hold "bob" (Bobby, Bobbitt & Sons):
    # name the others so that only bob@example.com matches.
    Lead.objects.exclude(email="bob@example.com").update(
        first_name="Ann", last_name="Lee", company="Acme"
    )
    client.force_login(marketer)
    partial = client.get(
        reverse("leads:list"), {"search": "bob", "cursor": "abc"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    link = export_link(partial)
    assert "search=bob" in link and "cursor" not in link  # The export is every page.
    assert exported_emails(client, link) == ["bob@example.com"]


def test_without_filters_the_link_exports_the_whole_list(client, rep, other_rep, world):
    # A rep sees their own leads and the unowned pool: the export holds the same.
    LeadFactory(email="mine@example.com", owner=rep)
    LeadFactory(email="theirs@example.com", owner=other_rep)
    client.force_login(rep)
    html = client.get(reverse("leads:list")).content.decode()
    link = export_link(html)
    assert link == reverse("marketing:leads-export")
    exported = exported_emails(client, link)
    assert exported == listed_emails(html)
    assert "mine@example.com" in exported and "theirs@example.com" not in exported
