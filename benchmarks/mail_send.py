"""Benchmark: email sending and the due-step sweep, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/funnel_mail_bench \\
        .venv/bin/python benchmarks/mail_send.py --messages 10000 --enrolments 100000

It wipes and refills the database it is given, so it refuses any database whose name does
not end in "_bench" (and creates that database when missing).

1. Sending: `--messages` queued messages (one per lead) go through the project's send path
   (claim a batch with one UPDATE, build the email with its headers and tracked links,
   send over one SMTP connection, mark each sent, record the batch's deliveries) to a real
   SMTP server in this process (aiosmtpd), against a plain `smtplib` loop sending a
   prebuilt message of the same size over one connection to the same server, in the same
   run. Goal: at least half the plain loop's throughput.
2. The due-step sweep over `--enrolments` running enrolments with an email step due:
   one run writes every message; the number of queries is printed beside a run over 1% of
   them (it must be the same: a constant number of queries).
"""

import argparse
import os
import smtplib
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _support import ensure_database, setup_django  # noqa: E402
from sales_tasks import sql  # noqa: E402


def wipe() -> None:
    sql(
        "TRUNCATE mail_message, mail_campaignsend, mail_stepemail, mail_sinkmessage, "
        "marketing_touch, sales_activity, sales_enrolment, sales_sequencestep, "
        "sales_sequence, funnel_stagechange, leads_lead RESTART IDENTITY CASCADE"
    )


def leads(n: int, stage: str) -> None:
    sql(
        "INSERT INTO leads_lead (email, first_name, last_name, company, title, phone, country,"
        " industry, company_size, stage, score, marketing_consent, created_at, updated_at)"
        " SELECT 'p' || g || '@d' || (g %% 50) || '.example', 'First' || g, 'Last', 'Co ' || g,"
        " '', '', '', '', '', %s, 0, true, now(), now() FROM generate_series(1, %s) g",
        [stage, n],
    )


def queue_messages(n: int) -> None:
    from django.conf import settings

    from mail.models import new_message_id

    wipe()
    leads(n, "lead")
    body = "Hello {first},\n\n" + ("A line of the newsletter about our product.\n" * 20)
    html = "<p>Hello</p>" + '<p>Read <a href="https://example.org/post?a=1">the post</a>.</p>' * 5
    sql(
        "INSERT INTO mail_message (message_id, kind, lead_id, to_email, to_domain, from_email,"
        " reply_to, subject, body_text, body_html, rendered, status, reason, send_after,"
        " claim_token, attempts, created_at, esp_message_id)"
        " SELECT '<bench.' || id || %s, 'marketing', id, email, split_part(email, '@', 2), %s,"
        " '', 'Newsletter for ' || company, replace(%s, '{first}', first_name), %s, true,"
        " 'queued', '', now() - interval '1 minute', '', 0, now(), '' FROM leads_lead",
        [new_message_id()[33:], settings.DEFAULT_FROM_EMAIL, body, html],
    )


def run_project(port: int) -> tuple[float, int]:
    from django.conf import settings

    from mail import sending

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.MAIL_RATE_PER_MINUTE = settings.MAIL_RATE_PER_DOMAIN_PER_MINUTE = 10**9
    from mail import tokens

    tokens.unsubscribe_url(1)  # warm: the URL resolver loads once, not in the timing
    started = time.perf_counter()
    total = 0
    while True:
        sent = sending.messages_send(limit=500)
        if not sent:
            break
        total += sent
    return time.perf_counter() - started, total


def run_plain(port: int, n: int) -> float:
    """What a hand-written script does: build each recipient's email with the standard
    library (text and HTML, a Message-ID) and send it over one connection."""
    from email.message import EmailMessage
    from email.utils import make_msgid

    from mail.models import Message

    rows = list(
        Message.objects.order_by("pk").values_list(
            "from_email", "to_email", "subject", "body_text", "body_html"
        )[:n]
    )
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, local_hostname="localhost") as server:
        for from_email, to_email, subject, text, html in rows:
            email = EmailMessage()
            email["From"], email["To"], email["Subject"] = from_email, to_email, subject
            email["Message-ID"] = make_msgid(domain="bench.example")
            email.set_content(text)
            email.add_alternative(html, subtype="html")
            server.send_message(email)
    return time.perf_counter() - started


class CountingHandler:
    """The local SMTP sink: accepts and counts (parsing is not what is measured)."""

    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append(len(envelope.content))
        return "250 Message accepted"


def bench_send(n: int) -> None:
    from tests.mail.smtp_sink import SmtpSink

    with SmtpSink() as sink:
        sink.controller.handler = sink.handler = CountingHandler()
        queue_messages(n)
        project_seconds, sent = run_project(sink.port)
        received_project = len(sink.handler.received)
        plain_seconds = run_plain(sink.port, n)
    assert sent == n == received_project, (sent, received_project)
    ours, plain = n / project_seconds, n / plain_seconds
    print(
        f"send {n} messages: project {ours:,.0f}/s ({project_seconds:.1f} s), plain smtplib "
        f"{plain:,.0f}/s ({plain_seconds:.1f} s), ratio {ours / plain:.2f}x"
    )


def enrol(n: int) -> None:
    from mail.models import StepEmail
    from sales.models import Sequence, SequenceStep

    wipe()
    leads(n, "prospect")
    sequence = Sequence.objects.create(name="Bench")
    step = SequenceStep.objects.create(
        sequence=sequence, position=1, day_offset=0, kind="email", subject="Intro"
    )
    SequenceStep.objects.create(
        sequence=sequence, position=2, day_offset=3, kind="call", subject="Call"
    )
    StepEmail.objects.create(step=step, subject="Hi {{ first_name }}", body_text="Hello")
    sql(
        "INSERT INTO sales_enrolment (sequence_id, lead_id, status, started_at, last_position,"
        " next_due_at, stop_reason, created_at) SELECT %s, id, 'active', now() - interval"
        " '1 hour', 0, now() - interval '1 hour', '', now() FROM leads_lead",
        [sequence.pk],
    )


def bench_sweep(n: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sales.services import sequence_steps_create_due

    counts = {}
    for size in (max(1, n // 100), n):
        enrol(size)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            written = sequence_steps_create_due()
            seconds = time.perf_counter() - started
        counts[size] = len(queries.captured_queries)
        print(f"due-step sweep over {size:,} enrolments: {written:,} rows written "
              f"in {seconds:.2f} s, {counts[size]} queries")  # fmt: skip
    assert len(set(counts.values())) == 1, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--enrolments", type=int, default=100_000)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database whose name ends in _bench.")
    ensure_database(url)
    setup_django()
    bench_send(args.messages)
    bench_sweep(args.enrolments)


if __name__ == "__main__":
    main()
