"""The template editor: marketing and managers write every template, reps their own sales
templates. Plain text and HTML with merge fields, a live preview for a chosen lead (htmx,
as you type), field errors for an unknown merge field or a body over 1 MB; HTML is
sanitised when saved (mail.services.template_save)."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from funnel.roles import is_manager, is_marketer
from leads.models import Lead
from leads.selectors import leads_visible_to
from mail import selectors, services, templating
from mail.forms import TemplateForm
from mail.views import _errors_into

# Shown when the editor has no lead to preview for (an empty database).
SAMPLE_LEAD = Lead(
    first_name="Ada", last_name="Lovelace", company="Analytical Engines", email="ada@example.com"
)


def _preview_lead(user, email: str) -> tuple[Lead | None, str]:
    """The lead to preview for, or an error for the preview field."""
    leads = leads_visible_to(user)
    email = (email or "").strip().lower()
    if email:
        lead = leads.filter(email=email).first()
        return (lead, "") if lead else (None, "No lead you can see has this address.")
    return leads.order_by("pk").first() or SAMPLE_LEAD, ""


def _preview(request: HttpRequest, data) -> dict:
    """The preview context: the rendered email for the chosen lead, or the errors that
    stop it (per field, as on save)."""
    lead, lead_error = _preview_lead(request.user, data.get("preview_email", ""))
    context = {"preview": None, "preview_lead": lead, "preview_errors": {}}
    if lead_error:
        context["preview_errors"] = {"preview_email": [lead_error]}
        return context
    try:
        context["preview"] = templating.render(
            subject=data.get("subject", ""),
            body_text=data.get("body_text", ""),
            body_html=data.get("body_html", ""),
            values=templating.merge_values(lead=lead, sender=request.user),
        )
    except ValidationError as exc:
        context["preview_errors"] = exc.message_dict
    return context


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    templates = selectors.templates_usable_by(request.user).select_related("owner")
    rows = [(t, selectors.template_is_editable_by(request.user, template=t)) for t in templates]
    return render(
        request,
        "mail/template_list.html",
        {"rows": rows, "in_marketing": is_manager(request.user) or is_marketer(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    template = None
    if pk is not None:
        template = get_object_or_404(selectors.templates_usable_by(request.user), pk=pk)
        if not selectors.template_is_editable_by(request.user, template=template):
            raise PermissionDenied("Only its owner, marketing or a manager edits this template.")
    initial = {}
    if template is not None:
        initial = {
            "name": template.name,
            "kind": template.kind,
            "subject": template.subject,
            "body_text": template.body_text,
            "body_html": template.body_html,
        }
    kinds = selectors.template_kinds_for(request.user)
    form = TemplateForm(request.POST or None, initial=initial, kinds=kinds)
    status = 200
    if request.method == "POST" and request.POST.get("action") != "preview":
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = services.template_save(
                    owner=request.user,
                    name=data["name"],
                    kind=data["kind"],
                    subject=data["subject"],
                    body_text=data["body_text"],
                    body_html=data.get("body_html", ""),
                    template=template,
                )
                flash.success(request, f"Template “{saved.name}” saved.")
                return redirect("mail:template_edit", pk=saved.pk)
            except ValidationError as exc:
                _errors_into(form, exc)
        status = 400
    source = request.POST if request.method == "POST" else initial
    context = {
        "form": form,
        "template": template,
        "fields": templating.FIELDS,
        "in_marketing": is_manager(request.user) or is_marketer(request.user),
        **_preview(request, source),
    }
    return render(request, "mail/template_form.html", context, status=status)


@login_required
@require_POST
def template_preview(request: HttpRequest) -> HttpResponse:
    """The preview card alone, for the editor's live preview (htmx, as the text changes)."""
    return render(request, "mail/_template_preview.html", _preview(request, request.POST))
