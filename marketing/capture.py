"""Public lead capture: a web form posts a person and a campaign's capture key.

One service, `lead_capture`: upsert the lead by email (never a duplicate, even when the
same person submits twice at once), attribute it to the campaign if it has no source yet
(first touch), record consent with its time, log a `form_submit` touch and rescore.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from leads import services as lead_services
from leads.emails import normalize_email
from leads.models import Lead
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

    Values the form sent replace the lead's (blank ones are ignored); consent, once given,
    is only withdrawn explicitly, never by a form without the box ticked.
    Raises ValidationError naming the field for an invalid email or value.
    """
    try:
        email = normalize_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": exc.messages}) from None
    values = {name: value.strip() for name, value in (fields or {}).items() if name in LEAD_FIELDS}
    values = {name: value for name, value in values.items() if value}
    now = timezone.now()
    with transaction.atomic():
        lead, created = _lead_upsert(email=email, values=values, campaign=campaign, consent=consent)
        utm_values = {name: (utm or {}).get(name, "").strip() for name in UTM_FIELDS}
        utm_values["utm_campaign"] = utm_values["utm_campaign"] or campaign.utm_campaign
        (touch,) = touches_record(
            touches=[
                TouchData(
                    lead_id=lead.pk,
                    kind=Touch.Kind.FORM_SUBMIT,
                    at=now,
                    campaign_id=campaign.pk,
                    **utm_values,
                )
            ]
        )
        lead.refresh_from_db(fields=["score", "source_campaign"])
    return Capture(lead=lead, created=created, touch=touch)


def _lead_upsert(
    *, email: str, values: dict[str, str], campaign: Campaign, consent: bool
) -> tuple[Lead, bool]:
    lead = Lead.objects.select_for_update().filter(email=email).first()
    if lead is None:
        try:
            lead = lead_services.lead_create(
                email=email, source_campaign=campaign, marketing_consent=consent, **values
            )
            return lead, True
        except ValidationError as exc:
            if not _is_duplicate(exc):
                raise
        # Someone created the same address between our look-up and insert: update it.
        lead = Lead.objects.select_for_update().get(email=email)
    changes: dict[str, object] = dict(values)
    if lead.source_campaign_id is None:
        changes["source_campaign"] = campaign
    if consent:
        changes["marketing_consent"] = True
    return lead_services.lead_update(lead=lead, data=changes), False


def _is_duplicate(exc: ValidationError) -> bool:
    errors = getattr(exc, "error_dict", {}).get("email", [])
    return any(error.code == "unique" for error in errors)
