"""Email reports: the per-sequence-step page and the campaign results' email figures,
against numbers counted independently from what the test set, in a constant number of
queries."""

import random
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from funnel.metrics.window import Window, site_today
from mail import selectors
from mail.models import Message
from tests import factories
from tests.sales.factories import EnrolmentFactory, SequenceFactory

EVENTS = ("delivered", "opened", "clicked", "replied", "unsubscribed", "bounced")
STATUSES = ("queued", "sending", "sent", "sent", "sent", "failed", "skipped")


def message_row(lead, **fields) -> Message:
    return Message.objects.create(
        kind=fields.pop("kind", "sales"),
        lead=lead,
        to_email=lead.email,
        to_domain=lead.email.rpartition("@")[2],
        from_email="team@example.com",
        subject="s",
        **fields,
    )


def random_messages(rng, make, count: int) -> dict[str, int]:
    """Write `count` messages with random statuses and events; count the figures by hand."""
    expected = dict.fromkeys(selectors.REPORT_FIELDS, 0)
    now = timezone.now()
    for _ in range(count):
        status = rng.choice(STATUSES)
        happened = [e for e in EVENTS if status == "sent" and rng.random() < 0.4]
        # Events recorded on a message that was not sent (a stray webhook) never count.
        stray = [e for e in EVENTS if status != "sent" and rng.random() < 0.1]
        make(
            status=status,
            sent_at=now if status == "sent" else None,
            **{f"{e}_at": now for e in happened + stray},
        )
        expected["messages"] += 1
        key = {"queued": "queued", "sending": "queued"}.get(status, status)
        expected[key] += 1
        for event in happened:
            expected[event] += 1
    return expected


def sequence_with_steps(owner, email_steps: int):
    plan = [(i, "email", f"Email {i}") for i in range(email_steps)] + [(9, "call", "Call")]
    sequence = SequenceFactory(owner=owner, steps=plan)
    return sequence, list(sequence.steps.filter(kind="email").order_by("position"))


def test_step_report_matches_independently_counted_figures(login, rep):
    rng = random.Random(1515)
    sequence, steps = sequence_with_steps(rep, 2)
    enrolments = [EnrolmentFactory(sequence=sequence, enrolled_by=rep) for _ in range(30)]
    expected = {}
    for step in steps:
        pending = iter(enrolments)

        def make(step=step, pending=pending, **fields):
            enrolment = next(pending)
            return message_row(enrolment.lead, enrolment=enrolment, step=step, **fields)

        expected[step.pk] = random_messages(rng, make, rng.randint(10, 30))

    response = login(rep).get(reverse("mail:sequence_report", args=[sequence.pk]))

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row["step"].pk for row in rows] == [step.pk for step in steps]
    for row in rows:
        assert {k: row[k] for k in selectors.REPORT_FIELDS} == expected[row["step"].pk]
    html = response.content.decode()
    assert 'data-label="Unsubscribed"' in html and "Email 1" in html


def test_a_step_without_messages_reports_zeros(login, rep):
    sequence, _ = sequence_with_steps(rep, 1)
    rows = login(rep).get(reverse("mail:sequence_report", args=[sequence.pk])).context["rows"]
    assert [row["sent"] for row in rows] == [0]


def test_step_report_query_count_is_constant(login, rep):
    client = login(rep)
    small, _ = sequence_with_steps(rep, 1)
    big, big_steps = sequence_with_steps(rep, 4)
    for step in big_steps:
        for _ in range(5):
            enrolment = EnrolmentFactory(sequence=big, enrolled_by=rep)
            message_row(enrolment.lead, enrolment=enrolment, step=step, status="sent")
    client.get(reverse("mail:sequence_report", args=[small.pk]))  # warm the session

    counts = []
    for sequence in (small, big):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("mail:sequence_report", args=[sequence.pk]))
        assert response.status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_step_reports_are_for_sales(login, marketer, rep):
    sequence, _ = sequence_with_steps(rep, 1)
    assert login(marketer).get(reverse("mail:sequence_list")).status_code == 403
    listing = login(rep).get(reverse("mail:sequence_list"))
    assert reverse("mail:sequence_report", args=[sequence.pk]) in listing.content.decode()


def test_campaign_email_figures_count_messages_sent_in_the_window(login, marketer):
    rng = random.Random(7)
    spring = factories.CampaignFactory(name="Spring")
    autumn = factories.CampaignFactory(name="Autumn")
    expected = {}
    for campaign in (spring, autumn):
        counted = random_messages(
            rng,
            lambda campaign=campaign, **f: message_row(
                factories.LeadFactory(), kind="marketing", campaign=campaign, **f
            ),
            25,
        )
        expected[campaign.pk] = {k: counted[k] for k in ("sent", *EVENTS)}
    # Sent before the window, and sent without a campaign: neither counts.
    today = site_today()
    window = Window(today - timedelta(days=6), today)
    message_row(
        factories.LeadFactory(),
        campaign=spring,
        status="sent",
        sent_at=window.start - timedelta(seconds=1),
        opened_at=timezone.now(),
    )
    message_row(factories.LeadFactory(), status="sent", sent_at=timezone.now())

    rows = selectors.campaign_email_figures(start=window.start, end=window.end)

    assert [row["campaign__name"] for row in rows] == ["Autumn", "Spring"]
    for row in rows:
        assert {k: row[k] for k in ("sent", *EVENTS)} == expected[row["campaign_id"]]
    page = login(marketer).get(
        reverse("marketing:results"), {"since": window.since, "until": window.until}
    )
    assert page.context["email_rows"] == rows
    assert 'id="email-results"' in page.content.decode()


def test_sequence_list_query_count_does_not_grow(login, rep):
    client = login(rep)
    sequence_with_steps(rep, 1)
    client.get(reverse("mail:sequence_list"))  # warm the session
    counts = []
    for extra in (0, 5):
        for _ in range(extra):
            sequence_with_steps(rep, 2)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("mail:sequence_list")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
