"""Create a lead and correct one in the web UI: the same services, validation and merge
policy as the API (`leads.services.lead_create` / `lead_update`), field history with
source `web`, and no lost updates: the form carries the lead's version, and a save over
someone else's newer one shows their values beside yours instead of overwriting them.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from leads import services
from leads.emails import normalize_email
from leads.forms import EDIT_FIELDS, LeadEditForm, lead_initial
from leads.history import value_as_text
from leads.merge_policy import WriteOrigin
from leads.merging.aliases import lead_by_email
from leads.models import ChangeSource, Lead, LeadChange
from leads.selectors import lead_is_editable_by, leads_creatable_by, leads_visible_to

CONFLICT = (
    "Someone else saved this lead after you opened the form. Nothing of yours was saved: "
    "their value and yours are shown below for every field that differs. Check them, then "
    "save again to keep what the form holds now."
)


KEPT = "Someone else had saved other fields of it meanwhile: their changes are kept too."


@login_required
@require_http_methods(["GET", "POST"])
def lead_create_view(request: HttpRequest) -> HttpResponse:
    if not leads_creatable_by(request.user):
        raise PermissionDenied("Your account has no role that may add leads.")
    form = LeadEditForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lead = services.lead_create(**form.changed_values(), created_by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Added {lead.full_name or lead.email}.")
            return redirect("leads:detail", pk=lead.pk)
    status = 400 if form.is_bound else 200
    return render(request, "leads/lead_form.html", _context(request, form, None), status=status)


@login_required
@require_http_methods(["GET", "POST"])
def lead_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    lead = get_object_or_404(leads_visible_to(request.user), pk=pk)
    if not lead_is_editable_by(request.user, lead=lead):
        raise PermissionDenied("You can see this lead but not change it.")
    if request.method == "GET":
        form = LeadEditForm(lead=lead, initial={**lead_initial(lead), "version": _version(lead)})
        return render(request, "leads/lead_form.html", _context(request, form, lead))

    form = LeadEditForm(request.POST, lead=lead)
    conflict = None
    origin = WriteOrigin(source=ChangeSource.WEB, actor=request.user, request_id=_id())
    if form.is_valid():
        try:
            saved = _save(form, lead, origin)
        except services.LeadVersionConflict as exc:
            conflict, form = _conflict(request, form, exc.lead)
            if not conflict and form.is_valid():
                # They changed only fields the person left alone: both edits stand, so
                # the person's goes on top of theirs without asking.
                try:
                    saved = _save(form, exc.lead, origin)
                except (services.LeadVersionConflict, ValidationError):
                    saved = None
                if saved is not None:
                    messages.success(request, f"Saved {saved.full_name or saved.email}. {KEPT}")
                    return redirect("leads:detail", pk=lead.pk)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Saved {saved.full_name or saved.email}.")
            return redirect("leads:detail", pk=lead.pk)
    context = _context(request, form, lead)
    context["conflict"] = conflict
    if conflict is not None:
        messages.warning(request, CONFLICT)
    return render(request, "leads/lead_form.html", context, status=409 if conflict else 400)


def _save(form: LeadEditForm, lead: Lead, origin: WriteOrigin) -> Lead:
    return services.lead_update(
        lead=lead,
        data=form.changed_values(),
        origin=origin,
        if_match=form.cleaned_data["version"] or "",
    )


def _conflict(request: HttpRequest, form: LeadEditForm, current: Lead) -> tuple[list, LeadEditForm]:
    """What someone else changed since the form was opened, against what the person typed.

    A field they changed and the person left as it was takes their value (nothing to
    choose); a field both changed, or one whose history is unknown, is shown with both
    values. Returns the rows to show and the form to show again: the person's values,
    theirs where the person had not touched the field, and the current version."""
    opened = _opened_values(current, form.cleaned_data.get("version") or "")
    data = request.POST.copy()
    data["version"] = _version(current)
    theirs_now = lead_initial(current)
    rows = []
    for name in EDIT_FIELDS:
        theirs = theirs_now.get(name)
        yours = _raw(form.cleaned_data.get(name))
        if value_as_text(theirs) == value_as_text(yours):
            continue
        if opened is not None and name not in opened:
            continue  # Only the person changed it.
        if opened is not None and opened[name] == value_as_text(yours):
            _set(data, name, theirs)  # Only they changed it.
            continue
        rows.append(
            {
                "label": form.fields[name].label,
                "theirs": _shown(current, name),
                "yours": _shown_value(name, form.cleaned_data.get(name)),
            }
        )
    rebound = LeadEditForm(data, lead=current)
    rebound.is_valid()
    return rows, rebound


def _opened_values(lead: Lead, version: str) -> dict[str, str | None] | None:
    """Field -> its value (as history text) when the form was opened, for the fields
    changed since, read from field history: the first change after that version. None
    when the version says nothing (every differing field is then shown)."""
    try:
        opened_at = datetime.fromtimestamp(int(version.strip('"'), 16) / 1_000_000, tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None
    values: dict[str, str | None] = {}
    for field, old in (
        LeadChange.objects.filter(lead=lead, at__gt=opened_at)
        .order_by("at", "id")
        .values_list("field", "old_value")
    ):
        values.setdefault(field, old)
    return values


def _raw(value):
    return value.pk if hasattr(value, "_meta") else value


def _set(data, name: str, value) -> None:
    # As a browser would send it: a checkbox is absent when off, a choice its id.
    if isinstance(value, bool):
        if value:
            data[name] = "on"
        else:
            data.pop(name, None)
    else:
        data[name] = "" if value is None else str(value)


def _shown(lead: Lead, name: str) -> str:
    if name == "source_campaign":
        return str(lead.source_campaign) if lead.source_campaign_id else "—"
    if name == "company_size":
        return lead.get_company_size_display() or "—"
    value = getattr(lead, name)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return value or "—"


def _shown_value(name: str, value) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if name == "company_size":
        return dict(Lead.CompanySize.choices).get(value, "") or "—"
    return str(value) if value else "—"


def _context(request: HttpRequest, form: LeadEditForm, lead: Lead | None) -> dict:
    return {"form": form, "lead": lead, "duplicate": _duplicate(request, form, lead)}


def _duplicate(request: HttpRequest, form: LeadEditForm, lead: Lead | None) -> Lead | None:
    """The lead that already has the email the form gives, if the person may see it (the
    error then links to it; otherwise the message alone, naming no one)."""
    if not form.is_bound or not any(
        e.code == "unique" for e in form.errors.as_data().get("email", [])
    ):
        return None
    try:
        email = normalize_email(form.data.get("email", ""))
    except ValidationError:
        return None
    existing = lead_by_email(email=email)
    if existing is None or (lead is not None and existing.pk == lead.pk):
        return None
    return leads_visible_to(request.user).filter(pk=existing.pk).first()


def _version(lead: Lead) -> str:
    return services.lead_version(lead)


def _id() -> str:
    return uuid.uuid4().hex
