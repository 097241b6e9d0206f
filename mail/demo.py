"""Demo data for email: two templates and a few reps' emails to their prospects, written
through `mail.services` like any other send, so `make run`'s worker delivers them to the
local sink and the Outbox page has something to show. A step of `funnel.demo.DEMO_STEPS`,
after sales. Idempotent: templates only when there are none, emails only when no message
was ever written."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from funnel.stages import Stage
from leads.models import Lead
from mail.models import EmailTemplate, MailKind, Message
from mail.services import message_compose

if TYPE_CHECKING:
    from funnel.demo import DemoContext

TEMPLATES = [
    {
        "name": "Follow-up after a demo",
        "kind": MailKind.SALES,
        "subject": "Next steps for {{ company }}",
        "body_text": (
            "Hi {{ first_name }},\n\nThanks for your time today. As promised, here is a short "
            "summary of what we saw and the plan we agreed on.\n\nBest,\n{{ rep_signature }}"
        ),
    },
    {
        "name": "Webinar invitation",
        "kind": MailKind.MARKETING,
        "subject": "{{ first_name }}, join our pipeline-review webinar",
        "body_text": (
            "Hi {{ first_name }},\n\nOn Thursday we show how teams like {{ company }} review "
            "their pipeline in twenty minutes a week. Save your seat with one click."
        ),
        "body_html": (
            "<p>Hi {{ first_name }},</p><p>On Thursday we show how teams like "
            "<strong>{{ company }}</strong> review their pipeline in twenty minutes a week.</p>"
        ),
    },
]
EMAILS = 4


def step_mail(ctx: DemoContext) -> str:
    with transaction.atomic():
        templates = _templates(ctx)
        sent = _emails()
    return f"mail: {templates} templates, {sent} emails queued for the local outbox"


def _templates(ctx: DemoContext) -> int:
    if EmailTemplate.objects.exists():
        return 0
    owner = ctx.users.get("marketer")
    for spec in TEMPLATES:
        EmailTemplate.objects.create(owner=owner, **spec)
    return len(TEMPLATES)


def _emails() -> int:
    if Message.objects.exists():
        return 0
    follow_up = EmailTemplate.objects.filter(kind=MailKind.SALES).order_by("pk").first()
    prospects = Lead.objects.filter(stage=Stage.PROSPECT, owner__isnull=False)
    for lead in prospects.select_related("owner").order_by("email")[:EMAILS]:
        message_compose(
            lead=lead,
            sender=lead.owner,
            subject=follow_up.subject,
            body_text=follow_up.body_text,
            template=follow_up,
        )
    return min(EMAILS, prospects.count())
