"""Campaign sends (marketing and managers): the list with each send's report, the form
(preview for a chosen lead, a test to oneself, send now or schedule), a send's page."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from lists.saved_views import saved_view_leads
from mail import campaigns, selectors
from mail.forms import CampaignSendForm
from mail.models import CampaignSend, Message
from mail.views import _errors_into
from marketing.models import Campaign


def _allowed(request: HttpRequest) -> None:
    if not campaigns.may_send_campaigns(request.user):
        raise PermissionDenied("Campaign email is for marketing and managers.")


@login_required
def send_list(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    sends = list(
        CampaignSend.objects.select_related("saved_view", "campaign").order_by("-created_at")[:50]
    )
    status = Message.Status
    counts = {
        row["campaign_send_id"]: row
        for row in Message.objects.filter(campaign_send__in=sends)
        .values("campaign_send_id")
        .annotate(
            sent=Count("id", filter=Q(status=status.SENT)),
            opened=Count("id", filter=Q(status=status.SENT, opened_at__isnull=False)),
            clicked=Count("id", filter=Q(status=status.SENT, clicked_at__isnull=False)),
        )
        .order_by()
    }
    for send in sends:
        send.counts = counts.get(send.pk, {})
    return render(request, "mail/send_list.html", {"sends": sends})


@login_required
@require_http_methods(["GET", "POST"])
def send_create(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    user = request.user
    form = CampaignSendForm(
        request.POST or None,
        views=campaigns.views_for(user),
        campaigns=Campaign.objects.order_by("name"),
        templates=selectors.templates_usable_by(user),
    )
    preview = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "send")
        if form.is_valid():
            data = form.cleaned_data
            subject, text, html = form.contents()
            try:
                if action in ("preview", "test"):
                    lead = _preview_lead(user, data)
                    if action == "preview":
                        preview = campaigns.preview(
                            actor=user, subject=subject, body_text=text, body_html=html, lead=lead
                        )
                        preview_lead = lead
                    else:
                        campaigns.test_send(
                            actor=user, subject=subject, body_text=text, body_html=html, lead=lead
                        )
                        flash.success(request, f"Test sent to {user.email}.")
                else:
                    send = campaigns.campaign_send_create(
                        actor=user,
                        name=data["name"],
                        saved_view=data["saved_view"],
                        subject=subject,
                        body_text=text,
                        body_html=html,
                        template=data.get("template"),
                        campaign=data.get("campaign"),
                        scheduled_at=data.get("scheduled_at"),
                    )
                    flash.success(request, f"“{send.name}” is queued.")
                    return redirect("mail:send_detail", pk=send.pk)
            except ValidationError as exc:
                _errors_into(form, exc)
        if form.errors:
            status = 400
    context = {"form": form, "preview": preview}
    if preview is not None:
        context["preview_lead"] = preview_lead
    return render(request, "mail/send_form.html", context, status=status)


def _preview_lead(user, data):
    leads = saved_view_leads(user=user, view=data["saved_view"])
    email = (data.get("preview_email") or "").lower()
    lead = leads.filter(email=email).first() if email else leads.order_by("pk").first()
    if lead is None:
        field = "preview_email" if email else "saved_view"
        raise ValidationError({field: "No such lead in this view."})
    return lead


@login_required
def send_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _allowed(request)
    send = get_object_or_404(
        CampaignSend.objects.select_related("saved_view", "campaign", "created_by"), pk=pk
    )
    report = selectors.email_report(Message.objects.filter(campaign_send=send))
    recent = send.messages.select_related("lead").order_by("-id")[:50]
    return render(
        request,
        "mail/send_detail.html",
        {"send": send, "report": report, "recent": recent, "fields": selectors.REPORT_FIELDS},
    )
