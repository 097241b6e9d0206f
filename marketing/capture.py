"""Public lead capture: a web form posts a person and a campaign's capture key.

One service, `lead_capture`: upsert the lead by email through the merge policy (an
anonymous form never overwrites what is there, it only fills empty fields; one lead per
address even when the same person submits twice at once), attribute it to the campaign
if it has no source yet (first touch), record consent with its time, log a `form_submit`
touch that keeps every submitted value for a person to review, and rescore. The touch
earns points only for a lead still in the `lead` stage: a stranger's post must not raise
a prospect's or customer's standing (docs/architecture.md, "Merge policy").
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from funnel.deadlocks import deadlock_retried
from funnel.stages import Stage
from leads.emails import normalize_email
from leads.history import lead_changes_record
from leads.merge_policy import WriteOrigin, lead_merge_apply, lead_merge_plan
from leads.merging.aliases import email_resolve
from leads.models import ChangeSource, Lead
from leads.upsert import leads_insert_or_lock
from marketing.models import Campaign, Touch
from marketing.services import TouchData, touches_record

# Person fields a form may send; anything else in the post is ignored.
LEAD_FIELDS = (
    "first_name",
    "last_name",
    "company",
    "title",
    "phone",
    "country",
    "industry",
    "company_size",
)
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")


@dataclass(frozen=True)
class Capture:
    lead: Lead
    created: bool
    touch: Touch


def lead_capture(
    *,
    campaign: Campaign,
    email: str,
    fields: Mapping[str, str] | None = None,
    utm: Mapping[str, str] | None = None,
    consent: bool = False,
) -> Capture:
    """Upsert the person by email and log the form submission against `campaign`.

    Values the form sent fill the lead's empty fields and never replace a stored value
    (anyone can post any address); consent, once given, is only withdrawn explicitly.
    The touch keeps what was submitted; it counts toward the score only while the lead
    is in the `lead` stage (new leads are). Raises ValidationError naming the field for an
    invalid email or value.
    """
    try:
        email = normalize_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": exc.messages}) from None
    # A merged-away address reaches its survivor (leads.merging).
    email = email_resolve(email=email)
    values = {name: value.strip() for name, value in (fields or {}).items() if name in LEAD_FIELDS}
    values = {name: value for name, value in values.items() if value}
    now = timezone.now()

    def write() -> Capture:
        with transaction.atomic():
            lead, created = _lead_upsert(
                email=email, values=values, campaign=campaign, consent=consent, now=now
            )
            utm_values = {name: (utm or {}).get(name, "").strip() for name in UTM_FIELDS}
            utm_values["utm_campaign"] = utm_values["utm_campaign"] or campaign.utm_campaign
            (touch,) = touches_record(
                touches=[
                    TouchData(
                        lead_id=lead.pk,
                        kind=Touch.Kind.FORM_SUBMIT,
                        at=now,
                        campaign_id=campaign.pk,
                        submitted={**values, "consent": consent},
                        scored=lead.stage == Stage.LEAD,
                        **utm_values,
                    )
                ]
            )
            lead.refresh_from_db(fields=["score", "source_campaign"])
        return Capture(lead=lead, created=created, touch=touch)

    return deadlock_retried(write, what="capture")


def _lead_upsert(
    *, email: str, values: dict[str, str], campaign: Campaign, consent: bool, now
) -> tuple[Lead, bool]:
    new = Lead(email=email, source_campaign=campaign, created_at=now, updated_at=now, **values)
    if consent:
        new.marketing_consent, new.marketing_consent_at = True, now
    new.full_clean(
        exclude=["owner", "source_campaign", "email"],
        validate_unique=False,
        validate_constraints=False,
    )
    rows = leads_insert_or_lock(new_rows=[new])
    if rows.created:
        from integrations import webhooks

        # Only the request whose INSERT created the lead announces it.
        webhooks.leads_created_record(lead_ids=[new.pk])
        return new, True
    lead = rows.locked[email]
    incoming: dict[str, object] = {**values, "source_campaign": campaign.pk}
    if consent:
        incoming["marketing_consent"] = True
    origin = WriteOrigin(source=ChangeSource.CAPTURE)
    plan = lead_merge_plan(lead=lead, incoming=incoming, origin=origin)
    written = lead_merge_apply(lead=lead, plan=plan, now=now)
    if written:
        lead.save(update_fields=written)
        lead_changes_record(changes=[(lead.pk, plan.changes)], origin=origin, at=now)
    return lead, False
