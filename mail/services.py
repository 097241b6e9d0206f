"""Every write of the email app: queueing messages, their outcomes, suppressions,
unsubscribes and replies. Sending itself is mail.sending; campaign sends mail.campaigns;
tracking mail.events; sequence steps mail.sequences."""

from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from leads.models import Lead
from mail import policy, templating
from mail.models import EmailTemplate, MailKind, Message, Suppression
from outbox.publish import task_publish_on_commit

MAX_SCHEDULE_DAYS = 365


def sender_address(sender: AbstractBaseUser | None) -> tuple[str, str]:
    """(From, Reply-To): the site's address under the sender's name, replies to them."""
    from email.utils import formataddr, parseaddr

    _site_name, site_address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    if sender is None:
        return settings.DEFAULT_FROM_EMAIL, ""
    name = sender.get_full_name() or sender.username
    return formataddr((name, site_address)), sender.email or ""


def domain_of(email: str) -> str:
    return email.rpartition("@")[2].lower()


def send_after_clean(send_after: datetime | None) -> datetime:
    now = timezone.now()
    if send_after is None or send_after <= now:
        return now
    if (send_after - now).days > MAX_SCHEDULE_DAYS:
        raise ValidationError({"send_after": f"Schedule at most {MAX_SCHEDULE_DAYS} days ahead."})
    return send_after


def message_compose(
    *,
    lead: Lead,
    sender: AbstractBaseUser,
    subject: str,
    body_text: str,
    body_html: str = "",
    kind: str = MailKind.SALES,
    template: EmailTemplate | None = None,
    send_after: datetime | None = None,
) -> Message:
    """A rep's email to one lead (free text or a template, merge fields filled now), sent
    at once or at `send_after`. A lead who may not be written to is refused (a
    ValidationError with the reason): nothing is written."""
    if kind not in MailKind.values:
        raise ValidationError({"kind": f"Choose one of: {', '.join(MailKind.values)}."})
    if not (subject or "").strip():
        raise ValidationError({"subject": "A subject is required."})
    if not (body_text or "").strip() and not (body_html or "").strip():
        raise ValidationError({"body_text": "Write a message."})
    send_after = send_after_clean(send_after)
    refusal = policy.refusal(
        lead=lead, kind=kind, suppressed=bool(policy.suppressed_among([lead.email]))
    )
    if refusal:
        raise ValidationError({"to": refusal})
    rendered = templating.render(
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        values=templating.merge_values(lead=lead, sender=sender),
    )
    from_email, reply_to = sender_address(sender)
    with transaction.atomic():
        message = Message.objects.create(
            kind=kind,
            lead=lead,
            to_email=lead.email,
            to_domain=domain_of(lead.email),
            from_email=from_email,
            reply_to=reply_to,
            subject=rendered.subject,
            body_text=rendered.body_text,
            body_html=rendered.body_html,
            template=template,
            sender=sender,
            send_after=send_after,
        )
        if send_after <= timezone.now():
            message_publish(message_ids=[message.pk])
    return message


def message_publish(*, message_ids: list[int]) -> None:
    """Send these messages soon after commit; the send sweep re-finds them if the broker
    loses the task (the row itself is the intent)."""
    from mail import tasks

    task_publish_on_commit(tasks.messages_send, message_ids)


def message_sent_record(*, message: Message) -> None:
    """What a sent message leaves behind, in the transaction that marks it sent: sales mail
    is a done "email" activity on the lead's timeline (who wrote, the subject, the text).
    (Deliveries without an ESP are recorded per batch: mail.events.messages_delivered.)"""
    if message.kind == MailKind.SALES:
        from sales.models import Activity

        Activity.objects.create(
            lead_id=message.lead_id,
            kind=Activity.Kind.EMAIL,
            subject=message.subject[:200],
            body=message.body_text[:10_000],
            done_at=timezone.now(),
            owner=message.sender,
            created_by=message.sender,
            # A sequence step's email is that step's activity (once per enrolment step).
            enrolment_id=message.enrolment_id,
            step_id=message.step_id,
        )
        Lead.objects.filter(pk=message.lead_id).update(last_activity_at=timezone.now())


def template_save(
    *,
    owner: AbstractBaseUser,
    name: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    kind: str = MailKind.SALES,
    template: EmailTemplate | None = None,
) -> EmailTemplate:
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise ValidationError({"name": "A name is required (at most 200 characters)."})
    if kind not in MailKind.values:
        raise ValidationError({"kind": f"Choose one of: {', '.join(MailKind.values)}."})
    if not (subject or "").strip() or len(subject) > 300:
        raise ValidationError({"subject": "A subject is required (at most 300 characters)."})
    if not (body_text or "").strip():
        raise ValidationError({"body_text": "The plain-text part is required."})
    templating.fields_check(subject=subject, body_text=body_text, body_html=body_html)
    template = template or EmailTemplate(owner=owner)
    template.name, template.kind, template.subject = name, kind, subject.strip()
    template.body_text = body_text
    template.body_html = templating.sanitise_html(body_html)
    template.save()
    return template


def suppression_add(
    *,
    email: str,
    reason: str,
    detail: str = "",
    message: Message | None = None,
    actor: AbstractBaseUser | None = None,
) -> tuple[Suppression, bool]:
    """Suppress an address everywhere (idempotent: an address already there keeps its
    first reason). Queued mail to it is skipped when its turn comes."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Enter a valid email address."}) from None
    if reason not in Suppression.Reason.values:
        raise ValidationError({"reason": f"Choose one of: {', '.join(Suppression.Reason.values)}."})
    try:
        with transaction.atomic():
            return Suppression.objects.get_or_create(
                email=email,
                defaults={
                    "reason": reason,
                    "detail": detail[:500],
                    "message": message,
                    "created_by": actor,
                },
            )
    except IntegrityError:
        return Suppression.objects.get(email=email), False


def suppression_remove(*, suppression_id: int, actor: AbstractBaseUser) -> None:
    """A manager lifts a suppression (e.g. a bounce that was a full mailbox). A complaint or
    an unsubscribe stays: only the person can take it back (by consenting again)."""
    suppression = Suppression.objects.get(pk=suppression_id)
    if suppression.reason in (Suppression.Reason.UNSUBSCRIBE, Suppression.Reason.COMPLAINT):
        raise ValidationError(
            {"reason": "An unsubscribe or a complaint is the person's choice; it stays."}
        )
    suppression.delete()


def message_unsubscribe(*, message: Message, at: datetime | None = None, via: str = "web") -> bool:
    """The recipient unsubscribed through this message's link or header (`via="web"`), or
    their ESP reported it (`via="api"`): the address is suppressed everywhere and the
    lead's marketing consent is withdrawn, with a field-history row. Idempotent: True the
    first time."""
    from mail import events

    at = at or timezone.now()
    with transaction.atomic():
        _, created = suppression_add(
            email=message.to_email,
            reason=Suppression.Reason.UNSUBSCRIBE,
            detail=f"Unsubscribe link of message {message.pk}",
            message=message,
        )
        consent_withdraw(email=message.to_email, at=at, via=via, why=f"unsubscribe:{message.pk}")
        events.message_event(message=message, event="unsubscribed", at=at)
    return created


def consent_withdraw(*, email: str, at: datetime, via: str, why: str) -> int:
    """Clear the marketing consent of the lead with this address (emails are unique,
    lowered), under its row lock, writing the change to its field history (source `via`,
    request id `why`). Returns the leads changed (0 when there was no consent)."""
    from leads.history import lead_changes_record
    from leads.merge_policy import WriteOrigin
    from leads.models import ChangeSource

    leads = list(
        Lead.objects.select_for_update()
        .filter(email=email.strip().lower(), marketing_consent=True)
        .values_list("pk", flat=True)
    )
    if not leads:
        return 0
    Lead.objects.filter(pk__in=leads).update(marketing_consent=False, marketing_consent_at=None)
    lead_changes_record(
        changes=[(pk, {"marketing_consent": (True, False)}) for pk in leads],
        origin=WriteOrigin(source=ChangeSource(via), request_id=why),
        at=at,
    )
    return len(leads)


def message_mark_replied(*, message: Message, actor: AbstractBaseUser | None = None) -> bool:
    """A reply came (inbound webhook, or a person's "Mark as replied"): recorded once, and
    the sequence enrolment it belongs to, if any, stops."""
    from mail import events

    return events.message_event(message=message, event="replied", at=timezone.now(), actor=actor)


def step_email_set(
    *, step_id: int, actor: AbstractBaseUser, subject: str, body_text: str, body_html: str = ""
):
    """Give a sequence's email step the email it sends automatically (or replace it).
    Rendered for each lead when sent, so a change reaches the steps not yet sent."""
    from funnel.roles import is_manager
    from mail.models import StepEmail
    from sales.models import Activity, SequenceStep

    step = SequenceStep.objects.select_related("sequence").get(pk=step_id)
    if not (is_manager(actor) or step.sequence.owner_id == actor.pk):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("Only the sequence's owner or a manager writes its emails.")
    if step.kind != Activity.Kind.EMAIL:
        raise ValidationError({"step": "Only an email step sends an email."})
    if not (subject or "").strip() or len(subject) > 300:
        raise ValidationError({"subject": "A subject is required (at most 300 characters)."})
    if not (body_text or "").strip():
        raise ValidationError({"body_text": "The plain-text part is required."})
    templating.fields_check(subject=subject, body_text=body_text, body_html=body_html)
    email, _ = StepEmail.objects.update_or_create(
        step=step,
        defaults={
            "subject": subject.strip(),
            "body_text": body_text,
            "body_html": templating.sanitise_html(body_html),
        },
    )
    return email


def enrolment_mark_replied(*, enrolment_id: int, actor: AbstractBaseUser | None) -> bool:
    """The lead answered a sequence outside Funnel ("Mark as replied" on the enrolment):
    the enrolment's latest sent email is marked replied (a reply touch, and the lead's
    running enrolments stop); with no email sent yet, a reply touch of the lead and the
    same stop. False when the enrolment had already ended (nothing is recorded twice)."""
    from mail import events
    from marketing.models import TouchKind
    from marketing.services import TouchData, touches_record
    from sales.models import Enrolment

    enrolment = Enrolment.objects.get(pk=enrolment_id)
    if enrolment.status != Enrolment.Status.ACTIVE:
        return False
    message = (
        Message.objects.filter(
            enrolment_id=enrolment_id, status=Message.Status.SENT, replied_at__isnull=True
        )
        .order_by("-sent_at", "-pk")
        .first()
    )
    if message is not None:
        return events.message_event(
            message=message, event="replied", at=timezone.now(), actor=actor
        )
    with transaction.atomic():
        touches_record(
            touches=[
                TouchData(
                    lead_id=enrolment.lead_id,
                    kind=TouchKind.EMAIL_REPLY,
                    at=timezone.now(),
                    campaign_id=None,
                    utm_source="funnel-email",
                    utm_medium="email",
                )
            ]
        )
        events.enrolments_stop(lead_id=enrolment.lead_id, actor=actor)
    return True
