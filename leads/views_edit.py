"""Create a lead and correct one in the web UI: the same services, validation and merge
policy as the API (`leads.services.lead_create` / `lead_update`), field history with
source `web`, and no lost updates: the form carries the lead's version, and a save over
someone else's newer one shows their values beside yours instead of overwriting them.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from leads import services
from leads.emails import normalize_email
from leads.forms import EDIT_FIELDS, LeadEditForm, lead_initial
from leads.merge_policy import WriteOrigin
from leads.merging.aliases import lead_by_email
from leads.models import ChangeSource, Lead
from leads.selectors import lead_is_editable_by, leads_creatable_by, leads_visible_to

CONFLICT = (
    "Someone else saved this lead after you opened the form. Nothing of yours was saved: "
    "their value and yours are shown below for every field that differs. Check them, then "
    "save again to keep what the form holds now."
)


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
    if form.is_valid():
        origin = WriteOrigin(source=ChangeSource.WEB, actor=request.user, request_id=_id())
        try:
            saved = services.lead_update(
                lead=lead,
                data=form.changed_values(),
                origin=origin,
                if_match=form.cleaned_data["version"] or "",
            )
        except services.LeadVersionConflict as exc:
            conflict = _conflict(form, exc.lead)
            form = _rebound(request, exc.lead)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Saved {saved.full_name or saved.email}.")
            return redirect("leads:detail", pk=lead.pk)
    context = _context(request, form, lead)
    context["conflict"] = conflict
    status = 409 if conflict else 400
    if conflict:
        messages.warning(request, CONFLICT)
    return render(request, "leads/lead_form.html", context, status=status)


def _conflict(form: LeadEditForm, current: Lead) -> list[dict]:
    """Per field that differs: the label, their value (saved now) and yours (the form)."""
    theirs_form = LeadEditForm(lead=current)
    rows = []
    for name in EDIT_FIELDS:
        theirs = theirs_form.initial.get(name)
        yours = form.cleaned_data.get(name)
        yours_raw = yours.pk if hasattr(yours, "_meta") else yours
        if (theirs or None) != (yours_raw or None):
            rows.append(
                {
                    "label": form.fields[name].label,
                    "theirs": _shown(current, name),
                    "yours": _shown_value(form, name, yours),
                }
            )
    return rows


def _rebound(request: HttpRequest, current: Lead) -> LeadEditForm:
    # The person's values stay in the form; the version moves to the lead's current one,
    # so saving again is a deliberate choice made after seeing theirs.
    data = request.POST.copy()
    data["version"] = _version(current)
    form = LeadEditForm(data, lead=current)
    form.is_valid()
    return form


def _shown(lead: Lead, name: str) -> str:
    if name == "source_campaign":
        return str(lead.source_campaign) if lead.source_campaign_id else "—"
    if name == "company_size":
        return lead.get_company_size_display() or "—"
    value = getattr(lead, name)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return value or "—"


def _shown_value(form: LeadEditForm, name: str, value) -> str:
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
