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


def sink_messages_visible_to(user: AbstractBaseUser) -> QuerySet[SinkMessage]:
    sink = SinkMessage.objects.all()
    if is_manager(user) or is_marketer(user):
        return sink
    ids = messages_visible_to(user).values("message_id")
    return sink.filter(Q(message_id__in=ids))
