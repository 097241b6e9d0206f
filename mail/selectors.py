"""Reads of the email app, scoped like every other list: managers and marketing see every
message; a rep the messages to leads they may see (leads.selectors)."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Q, QuerySet

from funnel.roles import is_manager, is_marketer
from leads.selectors import leads_visible_to
from mail.models import EmailTemplate, MailKind, Message, SinkMessage


def messages_visible_to(user: AbstractBaseUser) -> QuerySet[Message]:
    if is_manager(user) or is_marketer(user):
        return Message.objects.all()
    return Message.objects.filter(lead__in=leads_visible_to(user).values("pk"))


def templates_usable_by(user: AbstractBaseUser) -> QuerySet[EmailTemplate]:
    """Marketing templates for managers and marketing; sales templates for everyone."""
    if is_manager(user) or is_marketer(user):
        return EmailTemplate.objects.all()
    return EmailTemplate.objects.filter(kind=MailKind.SALES)


def template_is_editable_by(user: AbstractBaseUser, *, template: EmailTemplate) -> bool:
    """Managers and marketing edit every template; a rep their own sales templates."""
    if is_manager(user) or is_marketer(user):
        return True
    return template.kind == MailKind.SALES and template.owner_id == user.pk


def template_kinds_for(user: AbstractBaseUser) -> list[tuple[str, str]]:
    """The kinds of template `user` may write: marketing ones are for marketing and managers."""
    if is_manager(user) or is_marketer(user):
        return list(MailKind.choices)
    return [(MailKind.SALES, MailKind.SALES.label)]


def sink_messages_visible_to(user: AbstractBaseUser) -> QuerySet[SinkMessage]:
    sink = SinkMessage.objects.all()
    if is_manager(user) or is_marketer(user):
        return sink
    ids = messages_visible_to(user).values("message_id")
    return sink.filter(Q(message_id__in=ids))


REPORT_FIELDS = (
    "messages",
    "queued",
    "skipped",
    "failed",
    "sent",
    "delivered",
    "opened",
    "clicked",
    "replied",
    "unsubscribed",
    "bounced",
)


def _report_columns() -> dict:
    """The report's figures as aggregates over messages (definitions: docs/architecture.md,
    "Email reports"): each counts messages, not events; engagement only of sent ones."""
    status = Message.Status
    sent = Q(status=status.SENT)
    return {
        "messages": Count("id"),
        "queued": Count("id", filter=Q(status__in=[status.QUEUED, status.SENDING])),
        "skipped": Count("id", filter=Q(status=status.SKIPPED)),
        "failed": Count("id", filter=Q(status=status.FAILED)),
        "sent": Count("id", filter=sent),
        "delivered": Count("id", filter=sent & Q(delivered_at__isnull=False)),
        "opened": Count("id", filter=sent & Q(opened_at__isnull=False)),
        "clicked": Count("id", filter=sent & Q(clicked_at__isnull=False)),
        "replied": Count("id", filter=sent & Q(replied_at__isnull=False)),
        "unsubscribed": Count("id", filter=sent & Q(unsubscribed_at__isnull=False)),
        "bounced": Count("id", filter=sent & Q(bounced_at__isnull=False)),
    }


def email_report(messages: QuerySet[Message]) -> dict[str, int]:
    """The email report of a set of messages, one aggregate query."""
    return messages.aggregate(**_report_columns())


def sequence_step_reports(sequence_id: int) -> list[dict]:
    """The email report per email step of a sequence, in step order, one query. Steps
    without a message yet are left out (the page lists them from the steps)."""
    rows = (
        Message.objects.filter(step__sequence_id=sequence_id)
        .values("step_id", "step__position", "step__subject")
        .annotate(**_report_columns())
        .order_by("step__position")
    )
    return list(rows)


def campaign_email_figures(*, start: datetime, end: datetime) -> list[dict]:
    """Per campaign, the report of the messages attributed to it (`Message.campaign`) and
    sent in [start, end): one query, campaigns by name. Only sent messages count, so
    messages, queued, skipped and failed are left out."""
    sent_in_window = Message.objects.filter(
        campaign__isnull=False,
        status=Message.Status.SENT,
        sent_at__gte=start,
        sent_at__lt=end,
    )
    columns = _report_columns()
    wanted = ("sent", "delivered", "opened", "clicked", "replied", "unsubscribed", "bounced")
    return list(
        sent_in_window.values("campaign_id", "campaign__name")
        .annotate(**{name: columns[name] for name in wanted})
        .order_by("campaign__name", "campaign_id")
    )


def sequence_email_report(sequence_id: int) -> list[dict]:
    """Every email step of a sequence in order, with its email's subject (or none: the step
    is still a task) and its report, zeros where nothing was written yet. Two queries."""
    from sales.models import Activity, SequenceStep

    steps = (
        SequenceStep.objects.filter(sequence_id=sequence_id, kind=Activity.Kind.EMAIL)
        .select_related("email")
        .order_by("position")
    )
    reports = {row["step_id"]: row for row in sequence_step_reports(sequence_id)}
    zero = dict.fromkeys(REPORT_FIELDS, 0)
    rows = []
    for step in steps:
        email = getattr(step, "email", None)
        report = reports.get(step.pk, zero)
        rows.append(
            {
                "step": step,
                "email_subject": email.subject if email else "",
                **{name: report[name] for name in REPORT_FIELDS},
            }
        )
    return rows


def sequences_with_email_steps():
    """Sequences that have email steps, with how many (one query), by name."""
    from sales.models import Activity, Sequence

    return (
        Sequence.objects.annotate(
            email_steps=Count("steps", filter=Q(steps__kind=Activity.Kind.EMAIL), distinct=True),
            automatic=Count(
                "steps",
                filter=Q(steps__kind=Activity.Kind.EMAIL, steps__email__isnull=False),
                distinct=True,
            ),
        )
        .filter(email_steps__gt=0)
        .select_related("owner")
        .order_by("name", "id")
    )
