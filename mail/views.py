"""Staff pages: compose from a lead page, the Outbox (the local sink's messages as they
would arrive), the suppression list (managers), templates."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from funnel.roles import is_manager
from leads.selectors import lead_is_editable_by, leads_visible_to
from mail import selectors, services, templating
from mail.forms import ComposeForm, SuppressionForm
from mail.models import Suppression


def _errors_into(form, exc: ValidationError) -> None:
    fields = getattr(exc, "message_dict", {"__all__": exc.messages})
    for field, errors in fields.items():
        target = field if field in form.fields else None
        for error in errors:
            form.add_error(target, error)


@login_required
@require_http_methods(["GET", "POST"])
def compose(request: HttpRequest, pk: int) -> HttpResponse:
    lead = get_object_or_404(leads_visible_to(request.user).select_related("owner"), pk=pk)
    if not lead_is_editable_by(request.user, lead=lead):
        raise PermissionDenied("You can see this lead but not write to them.")
    templates = selectors.templates_usable_by(request.user)
    form = ComposeForm(request.POST or None, templates=templates)
    preview = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            subject, text, html = form.contents()
            try:
                if request.POST.get("action") == "test":
                    from mail.campaigns import test_send

                    test_send(
                        actor=request.user,
                        subject=subject,
                        body_text=text,
                        body_html=html,
                        lead=lead,
                    )
                    flash.success(request, f"Test sent to {request.user.email}.")
                elif request.POST.get("action") == "preview":
                    preview = templating.render(
                        subject=subject,
                        body_text=text,
                        body_html=html,
                        values=templating.merge_values(lead=lead, sender=request.user),
                    )
                else:
                    message = services.message_compose(
                        lead=lead,
                        sender=request.user,
                        subject=subject,
                        body_text=text,
                        body_html=html,
                        template=form.cleaned_data.get("template"),
                        send_after=form.cleaned_data.get("send_after"),
                    )
                    when = "scheduled" if message.send_after > message.created_at else "sent"
                    flash.success(request, f"Email {when}: {message.subject}")
                    return redirect("leads:detail", pk=lead.pk)
            except ValidationError as exc:
                _errors_into(form, exc)
        if form.errors:
            status = 400
    recent = lead.messages.order_by("-created_at", "-id")[:10]
    context = {
        "lead": lead,
        "form": form,
        "preview": preview,
        "fields": templating.FIELDS,
        "recent": recent,
    }
    return render(request, "mail/compose.html", context, status=status)


@login_required
def outbox(request: HttpRequest) -> HttpResponse:
    sink = selectors.sink_messages_visible_to(request.user).order_by("-received_at", "-id")
    page = Paginator(sink, 25).get_page(request.GET.get("page"))
    selected = None
    if request.GET.get("show", "").isdigit():
        selected = sink.filter(pk=int(request.GET["show"])).first()
    return render(request, "mail/outbox.html", {"page": page, "selected": selected})


@login_required
@require_http_methods(["GET", "POST"])
def suppressions(request: HttpRequest) -> HttpResponse:
    if not is_manager(request.user):
        raise PermissionDenied("Only managers see the suppression list.")
    form = SuppressionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _, created = services.suppression_add(
                    email=form.cleaned_data["email"],
                    reason=Suppression.Reason.MANUAL,
                    detail=form.cleaned_data["detail"],
                    actor=request.user,
                )
                flash.success(request, "Address suppressed." if created else "Already on the list.")
                return redirect("mail:suppressions")
            except ValidationError as exc:
                _errors_into(form, exc)
        status = 400
    rows = Suppression.objects.select_related("created_by").order_by("-created_at", "-id")
    query = request.GET.get("q", "").strip()
    if query:
        rows = rows.filter(email__icontains=query)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "mail/suppressions.html",
        {"page": page, "form": form, "q": query, "reasons": Suppression.Reason},
        status=status,
    )


@login_required
@require_POST
def suppression_remove(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_manager(request.user):
        raise PermissionDenied("Only managers change the suppression list.")
    get_object_or_404(Suppression, pk=pk)
    try:
        services.suppression_remove(suppression_id=pk, actor=request.user)
        flash.success(request, "Suppression lifted.")
    except ValidationError as exc:
        flash.error(request, " ".join(exc.messages))
    return redirect("mail:suppressions")


@login_required
@require_POST
def mark_replied(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(
        selectors.messages_visible_to(request.user).select_related("lead"), pk=pk
    )
    if not lead_is_editable_by(request.user, lead=message.lead):
        raise PermissionDenied("You can see this lead but not change it.")
    if services.message_mark_replied(message=message, actor=request.user):
        flash.success(request, "Marked as replied; the lead's sequences are stopped.")
    return redirect("mail:compose", pk=message.lead_id)


@login_required
@require_POST
def enrolment_replied(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Mark as replied" on a running enrolment of the lead page."""
    from sales.selectors import enrolments_visible_to

    enrolment = get_object_or_404(enrolments_visible_to(request.user).select_related("lead"), pk=pk)
    if not lead_is_editable_by(request.user, lead=enrolment.lead):
        raise PermissionDenied("You can see this lead but not change it.")
    if services.enrolment_mark_replied(enrolment_id=enrolment.pk, actor=request.user):
        flash.success(request, "Marked as replied; the lead's sequences are stopped.")
    else:
        flash.info(request, "That sequence had already ended.")
    return redirect("leads:detail", pk=enrolment.lead_id)
