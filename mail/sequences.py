"""Sequence email steps: a step with an email (mail.StepEmail) is sent automatically when
due, within the owner's sending window.

The due-step sweep writes one message row per (enrolment, step) with one
INSERT ... SELECT (ON CONFLICT DO NOTHING on the unique pair), whatever the number of
enrolments; the row is rendered for its lead at its first claim (mail.sending), and sent
only inside the sender's window: outside it, the claim puts it back to the window's next
opening."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import connection, transaction
from django.db.models import CharField, DateTimeField, F, Func, Value
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone

from mail import templating
from mail.models import MailKind, Message, SendingWindow, StepEmail

DEFAULT_WEEKDAYS = [1, 2, 3, 4, 5]


class EmailDomain(Func):
    """The part of a (lowered) address after the @, in SQL."""

    output_field = CharField()

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "postgresql":
            return f"split_part({sql}, '@', 2)", params
        return f"substr({sql}, instr({sql}, '@') + 1)", params * 2


def window_for(user) -> tuple[ZoneInfo, list[int], int, int]:
    window = SendingWindow.objects.filter(user=user).first() if user else None
    zone_name = window.time_zone if window else settings.TIME_ZONE
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    if window is None:
        return zone, DEFAULT_WEEKDAYS, 8, 18
    return zone, window.weekdays or DEFAULT_WEEKDAYS, window.start_hour, window.end_hour


def window_next_open(*, user, now: datetime) -> datetime:
    """`now` if it falls in `user`'s sending window, else when the window next opens."""
    zone, weekdays, start, end = window_for(user)
    local = now.astimezone(zone)
    for days in range(8):
        day = (local + timedelta(days=days)).date()
        if day.isoweekday() not in weekdays:
            continue
        opens = datetime(day.year, day.month, day.day, start, tzinfo=zone)
        closes = datetime(day.year, day.month, day.day, min(end, 23), 59 if end > 23 else 0,
                          tzinfo=zone)  # fmt: skip
        if end <= start:
            continue
        if days == 0 and local >= closes:
            continue
        return max(now, opens.astimezone(now.tzinfo))
    return now


def message_render(*, message: Message, now: datetime) -> bool:
    """Render a sequence step's message at its first claim, or put it back to the sending
    window's next opening. True when it may be sent now."""
    from mail.sending import _mark
    from mail.services import sender_address

    sender = message.sender
    opens = window_next_open(user=sender, now=now)
    if opens > now:
        _mark(message, status=Message.Status.QUEUED, send_after=opens, attempts=F("attempts") - 1)
        return False
    email = StepEmail.objects.filter(step_id=message.step_id).first()
    if email is None:
        _mark(message, status=Message.Status.SKIPPED, reason="The step has no email any more.")
        return False
    rendered = templating.render(
        subject=email.subject,
        body_text=email.body_text,
        body_html=email.body_html,
        values=templating.merge_values(lead=message.lead, sender=sender),
    )
    from_email, reply_to = sender_address(sender)
    values = {
        "subject": rendered.subject,
        "body_text": rendered.body_text,
        "body_html": rendered.body_html,
        "from_email": from_email,
        "reply_to": reply_to,
        "rendered": True,
    }
    Message.objects.filter(pk=message.pk, claim_token=message.claim_token).update(**values)
    for key, value in values.items():
        setattr(message, key, value)
    return True


def step_messages_create_due(*, now: datetime | None = None, enrolment_ids=None) -> int:
    """One INSERT ... SELECT: a queued message for every due email step of every running
    enrolment (steps past the enrolment's progress and due by `now`), rendered later.
    Returns the rows written. Runs before the progress moves (sales.services.sequences)."""
    from sales.expressions import AddDays
    from sales.services.sequences import _due_enrolments

    now = now or timezone.now()
    due = _due_enrolments(now=now, enrolment_ids=enrolment_ids).filter(
        sequence__steps__email__isnull=False
    )
    domain = settings.MAIL_MESSAGE_ID_DOMAIN
    columns = due.annotate(
        c_message_id=Concat(
            Value("<seq."),
            F("pk"),
            Value("."),
            F("sequence__steps__id"),
            Value(f"@{domain}>"),
            output_field=CharField(),
        ),
        c_kind=Value(MailKind.SALES),
        c_lead_id=F("lead_id"),
        c_to_email=F("lead__email"),
        c_to_domain=EmailDomain(F("lead__email")),
        c_from_email=Value(settings.DEFAULT_FROM_EMAIL),
        c_reply_to=Value(""),
        c_subject=F("sequence__steps__email__subject"),
        c_body_text=Value(""),
        c_body_html=Value(""),
        c_rendered=Value(False),
        c_sender_id=Coalesce(F("lead__owner_id"), F("enrolled_by_id")),
        c_enrolment_id=F("pk"),
        c_step_id=F("sequence__steps__id"),
        c_status=Value(Message.Status.QUEUED),
        c_reason=Value(""),
        c_send_after=AddDays(F("started_at"), F("sequence__steps__day_offset")),
        c_claim_token=Value(""),
        c_attempts=Value(0),
        c_created_at=Value(now, output_field=DateTimeField()),
        c_esp_message_id=Value(""),
        c_position=F("sequence__steps__position"),
    )
    names = [
        "message_id", "kind", "lead_id", "to_email", "to_domain", "from_email", "reply_to",
        "subject", "body_text", "body_html", "rendered", "sender_id", "enrolment_id",
        "step_id", "status", "reason", "send_after", "claim_token", "attempts", "created_at",
        "esp_message_id",
    ]  # fmt: skip
    select_sql, params = (
        columns.filter(c_send_after__lte=now, c_position__gt=F("last_position"))
        .values_list(*[f"c_{n}" for n in names])
        .order_by()
        .query.sql_with_params()
    )
    qn = connection.ops.quote_name
    sql = (
        f"INSERT INTO {qn(Message._meta.db_table)} ({', '.join(qn(n) for n in names)}) "
        f"WITH due AS MATERIALIZED ({select_sql}) SELECT * FROM due WHERE true "
        "ON CONFLICT (enrolment_id, step_id) WHERE enrolment_id IS NOT NULL DO NOTHING"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)
