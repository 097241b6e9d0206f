"""Writes to leads other than their stage (that is `funnel.services`, the one writer).

Every path that creates or edits a lead (API, forms, capture, import) comes through here,
so the email is always normalised and a duplicate (in any letter case) is always a
`ValidationError` on `email`, never an `IntegrityError` escaping as a 500.
"""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models.deletion import ProtectedError, RestrictedError
from django.utils import timezone

from funnel.roles import is_sales_rep
from leads.emails import normalize_email
from leads.history import lead_changes_record
from leads.merge_policy import Outcome, WriteOrigin, lead_merge_apply, lead_merge_plan
from leads.models import ChangeSource, Lead
from marketing.models import Campaign

DUPLICATE_EMAIL = "A lead with this email address already exists."

# What create/update may set. Stage, owner, score, milestones and timestamps have their
# own writers (funnel.services, sales, scoring) and are deliberately absent.
# In the order a person reads them (the edit form and the merge screen show them so).
EDITABLE_FIELD_ORDER = (
    "email",
    "first_name",
    "last_name",
    "company",
    "title",
    "phone",
    "country",
    "industry",
    "company_size",
    "source_campaign",
    "marketing_consent",
)
EDITABLE_FIELDS = frozenset(EDITABLE_FIELD_ORDER)
# Field checks that need no query: foreign keys are checked by the caller's lookup or by
# the database, uniqueness by the unique index below.
_CLEAN_EXCLUDE = ["owner", "source_campaign", "email"]


def lead_initial_owner(*, created_by: AbstractBaseUser | None) -> AbstractBaseUser | None:
    """Who owns a new lead: a sales rep owns what they create (so they can go on working
    it); anything created by others starts unassigned, for sales to assign."""
    if created_by is not None and is_sales_rep(created_by):
        return created_by
    return None


def lead_create(
    *,
    email: str,
    first_name: str = "",
    last_name: str = "",
    company: str = "",
    title: str = "",
    phone: str = "",
    country: str = "",
    industry: str = "",
    company_size: str = "",
    source_campaign: Campaign | None = None,
    marketing_consent: bool = False,
    created_by: AbstractBaseUser | None = None,
) -> Lead:
    """Create a lead in stage `lead`. Raises ValidationError (on `email` for a duplicate)."""
    lead = Lead(
        email=_normalized_email(email),
        first_name=first_name,
        last_name=last_name,
        company=company,
        title=title,
        phone=phone,
        country=country,
        industry=industry,
        company_size=company_size,
        source_campaign=source_campaign,
        marketing_consent=marketing_consent,
        marketing_consent_at=timezone.now() if marketing_consent else None,
        owner=lead_initial_owner(created_by=created_by),
    )
    lead.full_clean(exclude=_CLEAN_EXCLUDE, validate_unique=False, validate_constraints=False)
    with transaction.atomic():
        _save_unique_email(lead=lead)
        from integrations import webhooks

        # `lead.created` into the webhook outbox, in the lead's own transaction.
        webhooks.lead_created_record(lead=lead)
    return lead


class LeadVersionConflict(Exception):
    """The lead changed since the version the caller read (`If-Match`): nothing written."""

    def __init__(self, *, lead: Lead) -> None:
        super().__init__("This lead was changed since you read it.")
        self.lead = lead


def lead_version(lead: Lead) -> str:
    """The lead's version, as an ETag: every writer of its fields moves `updated_at`."""
    return f'"{int(lead.updated_at.timestamp() * 1_000_000):x}"'


def lead_update(
    *,
    lead: Lead,
    data: Mapping[str, Any],
    origin: WriteOrigin | None = None,
    if_match: str | None = None,
) -> Lead:
    """Apply `data` (a subset of EDITABLE_FIELDS) to `lead` through the merge policy
    (a person or API caller who may edit the lead: their values win), saving only what
    changed and recording each changed field in the lead's history.

    `if_match`: the version (`lead_version`) the caller's edit is based on; if the lead
    has changed since, raises LeadVersionConflict with the current lead. Raises
    ValidationError for invalid values or an email another lead has; TypeError for a
    field that is not editable here (a programming error, not user input).
    """
    not_editable = set(data) - EDITABLE_FIELDS
    if not_editable:
        raise TypeError(f"Not editable through lead_update: {', '.join(sorted(not_editable))}")
    changes = dict(data)
    if "email" in changes:
        changes["email"] = _normalized_email(changes["email"])
    # Callers have checked the right to edit (403 otherwise); no actor is a trusted
    # internal write (a task, the shell).
    origin = origin or WriteOrigin(source=ChangeSource.API)
    if if_match is None and not lead_merge_plan(lead=lead, incoming=changes, origin=origin).changes:
        return lead  # Nothing to write: not even a lock.
    now = timezone.now()
    with transaction.atomic():
        # Decided on the row as it is now, under its lock, not as the caller read it.
        current = Lead.objects.select_for_update().get(pk=lead.pk)
        if if_match is not None and not _version_matches(if_match, current):
            raise LeadVersionConflict(lead=current)
        plan = lead_merge_plan(lead=current, incoming=changes, origin=origin)
        if plan.outcome == Outcome.REFUSED:
            raise PermissionDenied(plan.reason)
        written = lead_merge_apply(lead=current, plan=plan, now=now)
        if not written:
            return current
        current.full_clean(
            exclude=_CLEAN_EXCLUDE, validate_unique=False, validate_constraints=False
        )
        _save_unique_email(lead=current, update_fields=written)
        lead_changes_record(changes=[(current.pk, plan.changes)], origin=origin, at=now)
    return current


def _version_matches(if_match: str, lead: Lead) -> bool:
    wanted = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
    return "*" in wanted or lead_version(lead) in wanted


def lead_delete(*, lead: Lead) -> None:
    """Delete a lead and its history (erasure). Refused while other records depend on it."""
    try:
        with transaction.atomic():
            lead.delete()
    except ProtectedError as exc:
        raise _in_use(exc.protected_objects) from None
    except RestrictedError as exc:
        raise _in_use(exc.restricted_objects) from None


def _in_use(dependants) -> ValidationError:
    kinds = sorted({str(obj._meta.verbose_name_plural) for obj in dependants})
    return ValidationError(
        f"This lead cannot be deleted while it has {', '.join(kinds)}; remove them first.",
        code="protected",
    )


def _normalized_email(value: str) -> str:
    try:
        return normalize_email(value)
    except ValidationError as exc:
        raise ValidationError({"email": exc.messages}) from None


def _current(lead: Lead, name: str) -> Any:
    # Foreign keys compare by id, so checking for a change never loads the related row.
    return getattr(lead, Lead._meta.get_field(name).attname)


def _raw(value: Any) -> Any:
    return value.pk if hasattr(value, "_meta") else value


def _save_unique_email(*, lead: Lead, update_fields: list[str] | None = None) -> None:
    # No "SELECT ... WHERE email = ?" first: the unique index is the check, which also
    # covers two requests racing with the same address. The savepoint keeps a caller's
    # outer transaction usable after the failed INSERT/UPDATE.
    if (update_fields is None or "email" in update_fields) and _alias_of_another(lead):
        # A merged-away address belongs to its survivor (leads.merging): reusing it would
        # split the person again.
        raise ValidationError({"email": ValidationError(DUPLICATE_EMAIL, code="unique")})
    try:
        with transaction.atomic():
            lead.save(update_fields=update_fields)
    except IntegrityError:
        if Lead.objects.filter(email=lead.email).exclude(pk=lead.pk).exists():
            raise ValidationError(
                {"email": ValidationError(DUPLICATE_EMAIL, code="unique")}
            ) from None
        raise


def _alias_of_another(lead: Lead) -> bool:
    from leads.models import LeadEmailAlias

    others = LeadEmailAlias.objects.filter(email=lead.email)
    if lead.pk is not None:
        others = others.exclude(lead_id=lead.pk)
    return others.exists()
