"""Reads of the email app, scoped like every other list: managers and marketing see every
message; a rep the messages to leads they may see (leads.selectors)."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet

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


def email_report(messages: QuerySet[Message]) -> dict[str, int]:
    """The email report of a set of messages, one aggregate query (definitions:
    docs/architecture.md, "Email reports"): each counts messages, not events."""
    from django.db.models import Count

    status = Message.Status
    return messages.aggregate(
        messages=Count("id"),
        queued=Count("id", filter=Q(status__in=[status.QUEUED, status.SENDING])),
        skipped=Count("id", filter=Q(status=status.SKIPPED)),
        failed=Count("id", filter=Q(status=status.FAILED)),
        sent=Count("id", filter=Q(status=status.SENT)),
        delivered=Count("id", filter=Q(status=status.SENT, delivered_at__isnull=False)),
        opened=Count("id", filter=Q(status=status.SENT, opened_at__isnull=False)),
        clicked=Count("id", filter=Q(status=status.SENT, clicked_at__isnull=False)),
        replied=Count("id", filter=Q(status=status.SENT, replied_at__isnull=False)),
        unsubscribed=Count("id", filter=Q(status=status.SENT, unsubscribed_at__isnull=False)),
        bounced=Count("id", filter=Q(status=status.SENT, bounced_at__isnull=False)),
    )


def sequence_step_reports(sequence_id: int) -> list[dict]:
    """The email report per step of a sequence (one query)."""
    from django.db.models import Count

    status = Message.Status
    sent = Q(status=status.SENT)
    rows = (
        Message.objects.filter(step__sequence_id=sequence_id)
        .values("step_id", "step__position", "step__subject")
        .annotate(
            messages=Count("id"),
            queued=Count("id", filter=Q(status__in=[status.QUEUED, status.SENDING])),
            skipped=Count("id", filter=Q(status=status.SKIPPED)),
            failed=Count("id", filter=Q(status=status.FAILED)),
            sent=Count("id", filter=sent),
            delivered=Count("id", filter=sent & Q(delivered_at__isnull=False)),
            opened=Count("id", filter=sent & Q(opened_at__isnull=False)),
            clicked=Count("id", filter=sent & Q(clicked_at__isnull=False)),
            replied=Count("id", filter=sent & Q(replied_at__isnull=False)),
            unsubscribed=Count("id", filter=sent & Q(unsubscribed_at__isnull=False)),
            bounced=Count("id", filter=sent & Q(bounced_at__isnull=False)),
        )
        .order_by("step__position")
    )
    return list(rows)
