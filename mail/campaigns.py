"""Marketing sends to a saved view (lists.saved_views): create (validated, 0 leads refused),
preview for a chosen lead, test send to oneself, and the expansion into one message per
lead when due.

The expansion is one transaction (the send row locked, its messages bulk-inserted, the
row marked expanded), guarded by the unique (send, lead) constraint: a crash leaves either
nothing or everything, and a second run inserts nothing."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from funnel.roles import is_manager, is_marketer
from leads.models import Lead
from lists.models import SavedView
from lists.saved_views import saved_view_leads, saved_views_for
from mail import policy, templating
from mail.models import CampaignSend, EmailTemplate, MailKind, Message
from mail.services import domain_of, send_after_clean, sender_address
from outbox.publish import task_publish_on_commit

CHUNK = 1000


def may_send_campaigns(user: AbstractBaseUser) -> bool:
    return is_manager(user) or is_marketer(user)


def views_for(user: AbstractBaseUser):
    """The saved lead views `user` may send to: their own and those shared with them."""
    return SavedView.objects.filter(
        pk__in=[
            v.pk
            for kind in ("list", "prospects", "customers")
            for v in saved_views_for(user=user, list_kind=kind)
        ]
    ).order_by("name", "id")


def campaign_send_create(
    *,
    actor: AbstractBaseUser,
    name: str,
    saved_view: SavedView,
    subject: str,
    body_text: str,
    body_html: str = "",
    template: EmailTemplate | None = None,
    campaign=None,
    scheduled_at: datetime | None = None,
) -> CampaignSend:
    if not may_send_campaigns(actor):
        raise PermissionDenied("Only marketing and managers send campaign email.")
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise ValidationError({"name": "A name is required (at most 200 characters)."})
    if not (subject or "").strip():
        raise ValidationError({"subject": "A subject is required."})
    if not (body_text or "").strip():
        raise ValidationError({"body_text": "The plain-text part is required."})
    templating.fields_check(subject=subject, body_text=body_text, body_html=body_html)
    if not views_for(actor).filter(pk=saved_view.pk).exists():
        raise ValidationError({"saved_view": "No such saved view."})
    if not saved_view_leads(user=actor, view=saved_view).exists():
        raise ValidationError(
            {"saved_view": "This view has no leads right now: there is nobody to send to."}
        )
    scheduled_at = send_after_clean(scheduled_at)
    with transaction.atomic():
        send = CampaignSend.objects.create(
            name=name,
            campaign=campaign,
            saved_view=saved_view,
            subject=subject.strip(),
            body_text=body_text,
            body_html=templating.sanitise_html(body_html),
            template=template,
            scheduled_at=scheduled_at,
            created_by=actor,
        )
        if scheduled_at <= timezone.now():
            from mail import tasks

            task_publish_on_commit(tasks.campaign_sends_expand_sweep)
    return send


def preview(*, actor, subject: str, body_text: str, body_html: str, lead: Lead):
    return templating.render(
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        values=templating.merge_values(lead=lead, sender=actor),
    )


def test_send(*, actor, subject: str, body_text: str, body_html: str, lead: Lead) -> None:
    """The email as `lead` would get it, to the marketer's own address, marked as a test
    (no message row, no tracking, nothing counted)."""
    if not actor.email:
        raise ValidationError({"detail": "Your account has no email address for a test."})
    rendered = preview(
        actor=actor, subject=subject, body_text=body_text, body_html=body_html, lead=lead
    )
    from_email, _ = sender_address(actor)
    email = EmailMultiAlternatives(
        subject=f"[Test] {rendered.subject}",
        body=rendered.body_text,
        from_email=from_email,
        to=[actor.email],
    )
    if rendered.body_html:
        email.attach_alternative(rendered.body_html, "text/html")
    email.send()


def campaign_sends_expand_due(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    due = list(
        CampaignSend.objects.filter(
            status=CampaignSend.Status.SCHEDULED, scheduled_at__lte=now
        ).values_list("pk", flat=True)[:20]
    )
    return sum(campaign_send_expand(send_id=pk) for pk in due)


def campaign_send_expand(*, send_id: int) -> int:
    """Write one message per lead of the view (as its creator sees it now): queued, or
    skipped with the reason (no consent, suppressed). Returns the messages queued."""

    with transaction.atomic():
        send = (
            CampaignSend.objects.select_for_update(of=("self",))
            .select_related("saved_view", "created_by")
            .filter(pk=send_id, status=CampaignSend.Status.SCHEDULED)
            .first()
        )
        if send is None:
            return 0
        actor = send.created_by
        if send.saved_view is None or actor is None or not actor.is_active:
            send.status, send.reason = CampaignSend.Status.FAILED, "The view or its owner is gone."
            send.save(update_fields=["status", "reason"])
            return 0
        leads = saved_view_leads(user=actor, view=send.saved_view).order_by("pk")
        from_email, reply_to = sender_address(actor)
        total = queued = 0
        last = 0
        while True:
            chunk = list(leads.filter(pk__gt=last)[:CHUNK])
            if not chunk:
                break
            last = chunk[-1].pk
            suppressed = policy.suppressed_among(lead.email for lead in chunk)
            rows = []
            for lead in chunk:
                refusal = policy.refusal(
                    lead=lead, kind=MailKind.MARKETING, suppressed=lead.email in suppressed
                )
                rendered = preview(
                    actor=actor,
                    subject=send.subject,
                    body_text=send.body_text,
                    body_html=send.body_html,
                    lead=lead,
                )
                rows.append(
                    Message(
                        kind=MailKind.MARKETING,
                        lead=lead,
                        to_email=lead.email,
                        to_domain=domain_of(lead.email),
                        from_email=from_email,
                        reply_to=reply_to,
                        subject=rendered.subject,
                        body_text=rendered.body_text,
                        body_html=rendered.body_html,
                        template=send.template,
                        sender=actor,
                        campaign_send=send,
                        campaign=send.campaign,
                        send_after=send.scheduled_at,
                        status=Message.Status.SKIPPED if refusal else Message.Status.QUEUED,
                        reason=refusal,
                    )
                )
                queued += not refusal
            Message.objects.bulk_create(rows, ignore_conflicts=True)
            total += len(rows)
        if total == 0:
            send.status = CampaignSend.Status.FAILED
            send.reason = "The view had no leads when the send was due: nothing was sent."
        else:
            send.status = CampaignSend.Status.EXPANDED
        send.recipients, send.expanded_at = total, timezone.now()
        send.save(update_fields=["status", "reason", "recipients", "expanded_at"])
        if queued:
            from mail import tasks

            task_publish_on_commit(tasks.messages_send_sweep)
    return queued
