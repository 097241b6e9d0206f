"""Campaign pages for marketing staff and managers: list, create/edit, the campaign page
(budget vs spend, results, spend ledger, leads, capture form) and all campaigns' results.

Thin: data from `marketing.selectors` / `marketing.metrics`, writes through
`marketing.services`. Without JavaScript every form is a plain POST + redirect.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from funnel.formatting import money_text
from funnel.metrics.window import DEFAULT_PRESET, Window, default_window, site_today
from marketing import services
from marketing.filters import CampaignFilter
from marketing.forms import CampaignForm, SpendForm, SpendUploadForm, WindowForm
from marketing.metrics import campaign_results
from marketing.models import Campaign, Spend
from marketing.permissions import marketing_required
from marketing.selectors import (
    campaign_recent_leads,
    campaign_recent_touches,
    campaign_spend,
    campaigns_with_totals,
)
from marketing.spend_csv import SpendFileInvalid, spend_import_csv

PAGE_SIZE = 50
# Ledger lines on the campaign page; "show all" lists every one.
SPEND_SHOWN = 15


@marketing_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    filters = CampaignFilter(request.GET, queryset=campaigns_with_totals())
    campaigns = filters.qs if filters.is_valid() else Campaign.objects.none()
    page = Paginator(campaigns.order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "marketing/campaign_list.html",
        {
            "page": page,
            "filters": filters,
            "status_choices": Campaign.Status.choices,
            "channel_choices": Campaign.Channel.choices,
        },
    )


@marketing_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    return _campaign_form(request, campaign=None)


@marketing_required
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _campaign_form(request, campaign=get_object_or_404(Campaign, pk=pk))


def _campaign_form(request: HttpRequest, *, campaign: Campaign | None) -> HttpResponse:
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if campaign is None and data.get("owner") is None:
            del data["owner"]  # A new campaign is its creator's unless another is chosen.
        try:
            saved = services.campaign_save(
                data=data,
                campaign=campaign,
                actor=request.user,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"Campaign “{saved.name}” saved.")
            return redirect("marketing:campaign-detail", pk=saved.pk)
    status = 400 if form.errors else 200
    return render(
        request, "marketing/campaign_form.html", {"form": form, "campaign": campaign}, status=status
    )


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@marketing_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(campaigns_with_totals(), pk=pk)
    window_form = WindowForm(request.GET or None)
    window = _campaign_window(campaign, window_form)
    (result,), _ = campaign_results(
        window=window, campaigns=Campaign.objects.filter(pk=campaign.pk), include_none=False
    )
    capture_url = request.build_absolute_uri(reverse("capture"))
    return render(
        request,
        "marketing/campaign_detail.html",
        {
            "campaign": campaign,
            "window": window,
            "window_form": window_form,
            "result": result,
            "spend": campaign_spend(
                campaign=campaign, limit=None if request.GET.get("spend") == "all" else SPEND_SHOWN
            ),
            "spend_shown": SPEND_SHOWN,
            "spend_form": SpendForm(),
            "upload_form": SpendUploadForm(),
            "leads": campaign_recent_leads(campaign=campaign),
            "touches": campaign_recent_touches(campaign=campaign),
            "snippet": render_to_string(
                "marketing/capture_snippet.html", {"campaign": campaign, "url": capture_url}
            ),
            "budget_percent": _percent(campaign.spend_total, campaign.budget),
        },
    )


def _campaign_window(campaign: Campaign, form: WindowForm) -> Window:
    """The window asked for, else the campaign's run (start to end, or to today)."""
    if form.is_bound and form.is_valid() and form.cleaned_data.get("since"):
        data = form.cleaned_data
        return Window(data["since"], data.get("until") or site_today())
    if campaign.starts_on:
        until = campaign.ends_on or site_today()
        since = min(campaign.starts_on, until)
        return Window(since, max(until, since))
    return default_window()


def _percent(part, whole) -> int | None:
    return round(100 * part / whole) if whole else None


@marketing_required
@require_POST
def campaign_regenerate_key(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    services.campaign_regenerate_capture_key(campaign=campaign)
    messages.warning(
        request, "New capture key. Forms using the old key now fail: paste the new snippet."
    )
    return redirect(reverse("marketing:campaign-detail", args=[pk]) + "#capture")


@marketing_required
@require_POST
def spend_add(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    form = SpendForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        line = services.SpendLine(data["day"], data["amount"], data["note"], data["currency"])
        try:
            services.spend_record(campaign=campaign, lines=[line], actor=request.user)
        except ValidationError as exc:
            messages.error(request, f"The spend was not recorded: {' '.join(exc.messages)}")
        else:
            spent = money_text(data["amount"], data["currency"])
            messages.success(request, f"Spend of {spent} on {data['day']} recorded.")
    else:
        for field, errors in form.errors.items():
            messages.error(request, f"{field}: {' '.join(errors)}")
    return redirect(reverse("marketing:campaign-detail", args=[pk]) + "#spend")


@marketing_required
@require_POST
def spend_delete(request: HttpRequest, pk: int, spend_pk: int) -> HttpResponse:
    spend = get_object_or_404(Spend, pk=spend_pk, campaign_id=pk)
    services.spend_delete(spend=spend)
    spent = money_text(spend.amount, spend.currency)
    messages.success(request, f"Spend line of {spent} on {spend.day} deleted.")
    return redirect(reverse("marketing:campaign-detail", args=[pk]) + "#spend")


@marketing_required
@require_POST
def spend_upload(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    form = SpendUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose a CSV file to upload.")
    else:
        try:
            rows = spend_import_csv(
                campaign=campaign,
                upload=form.cleaned_data["file"],
                actor=request.user,
                number_format=form.cleaned_data["number_format"],
            )
        except SpendFileInvalid as exc:
            messages.error(request, "Nothing was recorded. " + " ".join(exc.messages[:20]))
        else:
            messages.success(request, f"{len(rows):,} spend lines recorded.")
    return redirect(reverse("marketing:campaign-detail", args=[pk]) + "#spend")


@marketing_required
def results(request: HttpRequest) -> HttpResponse:
    form = WindowForm(request.GET or None)
    window = default_window()
    if form.is_bound and form.is_valid() and form.cleaned_data.get("since"):
        data = form.cleaned_data
        window = Window(data["since"], data.get("until") or site_today())
    rows, totals = campaign_results(window=window)
    # Email figures of the campaigns' sends (mail sits beside marketing; read here only).
    from mail.selectors import campaign_email_figures

    email_rows = campaign_email_figures(start=window.start, end=window.end)
    return render(
        request,
        "marketing/results.html",
        {
            "rows": rows,
            "totals": totals,
            "window": window,
            "window_form": form,
            "default_preset": DEFAULT_PRESET,
            "email_rows": email_rows,
        },
    )


def capture_thanks(request: HttpRequest) -> HttpResponse:
    """Where a capture form lands when its campaign has no thank-you page of its own."""
    return render(request, "marketing/capture_thanks.html")
