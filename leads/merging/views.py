"""The "Merge with…" pages of a lead: find the duplicate, compare side by side, choose per
field which value survives, confirm. The lead whose page it is survives (a link swaps
them). Thin: the rule is `leads.merging.services.leads_merge`."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from leads.merging.services import (
    MERGE_FIELDS,
    MERGED,
    SURVIVOR,
    lead_may_merge,
    leads_merge,
    merge_candidates,
)
from leads.models import Lead
from leads.selectors import lead_is_editable_by, leads_visible_to


class LeadMergeForm(forms.Form):
    """One radio per field whose values differ; the others need no choice."""

    merged = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, differing: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in differing:
            self.fields[f"choice_{name}"] = forms.ChoiceField(
                choices=[(SURVIVOR, "Keep this lead's"), (MERGED, "Take the other's")],
                initial=SURVIVOR,
                # Not chosen: the survivor's value stays, as the page pre-selects.
                required=False,
                widget=forms.RadioSelect,
            )

    def field_choices(self) -> dict[str, str]:
        return {
            name.removeprefix("choice_"): value or SURVIVOR
            for name, value in self.cleaned_data.items()
            if name.startswith("choice_")
        }


@login_required
@require_http_methods(["GET", "POST"])
def lead_merge_view(request: HttpRequest, pk: int) -> HttpResponse:
    visible = leads_visible_to(request.user).select_related("source_campaign", "owner")
    survivor = get_object_or_404(visible, pk=pk)
    if not lead_is_editable_by(request.user, lead=survivor):
        raise PermissionDenied("You can see this lead but not change it.")
    other_id = request.POST.get("merged") or request.GET.get("with")
    if not other_id:
        search = request.GET.get("q", "").strip()[:200]
        candidates = merge_candidates(request.user, lead=survivor, search=search) if search else []
        return render(
            request,
            "leads/merge_pick.html",
            {"lead": survivor, "search": search, "candidates": candidates},
        )
    if not str(other_id).isdigit():
        return render(request, "leads/merge_pick.html", {"lead": survivor}, status=400)
    merged = get_object_or_404(visible, pk=int(other_id))
    if merged.pk == survivor.pk:
        messages.error(request, "A lead cannot be merged with itself: choose another lead.")
        return redirect("leads:merge", pk=survivor.pk)
    if not lead_may_merge(request.user, survivor=survivor, merged=merged):
        raise PermissionDenied("You may merge only leads you may change (both of them).")
    rows = _comparison(survivor, merged)
    differing = [row["name"] for row in rows if row["differs"]]
    form = LeadMergeForm(request.POST or None, differing=differing, initial={"merged": merged.pk})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                record = leads_merge(
                    survivor=survivor,
                    merged=merged,
                    field_choices=form.field_choices(),
                    actor=request.user,
                    now=timezone.now(),
                )
            except Lead.DoesNotExist:
                messages.error(request, "The other lead was deleted meanwhile; nothing changed.")
                return redirect("leads:detail", pk=survivor.pk)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    f"Merged {record.merged_email} into this lead: its history, touches, "
                    "activities, deals and enrolments are here now.",
                )
                return redirect("leads:detail", pk=survivor.pk)
        status = 400
    for row in rows:
        row["field"] = form[f"choice_{row['name']}"] if row["differs"] else None
    context = {"lead": survivor, "other": merged, "rows": rows, "form": form}
    return render(request, "leads/merge_compare.html", context, status=status)


def _comparison(survivor: Lead, merged: Lead) -> list[dict]:
    rows = []
    for name in MERGE_FIELDS:
        field = Lead._meta.get_field(name)
        ours, theirs = (getattr(lead, field.attname) for lead in (survivor, merged))
        rows.append(
            {
                "name": name,
                "label": str(field.verbose_name).capitalize(),
                "survivor": _shown(survivor, name),
                "merged": _shown(merged, name),
                "differs": ours != theirs,
            }
        )
    extra = [
        ("Stage", survivor.get_stage_display(), merged.get_stage_display()),
        ("Owner", _owner(survivor), _owner(merged)),
        ("Created", f"{survivor.created_at:%d %b %Y}", f"{merged.created_at:%d %b %Y}"),
    ]
    for label, ours, theirs in extra:
        rows.append(
            {"name": "", "label": label, "survivor": ours, "merged": theirs, "differs": False}
        )
    return rows


def _owner(lead: Lead) -> str:
    if lead.owner is None:
        return "Unassigned"
    return lead.owner.get_full_name() or lead.owner.username


def _shown(lead: Lead, name: str) -> str:
    if name == "source_campaign":
        return lead.source_campaign.name if lead.source_campaign else "—"
    if name == "company_size":
        return lead.get_company_size_display() or "—"
    value = getattr(lead, name)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return value or "—"
