"""The rates page: managers enter, import and delete exchange rates. Thin: the selectors
read, the services write."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from currencies import selectors, services
from currencies.codes import company_currency
from currencies.forms import RateFilterForm, RateForm, RateUploadForm
from currencies.models import ExchangeRate
from currencies.rates_csv import RateFileInvalid, rates_import_csv
from funnel.roles import is_manager

SHOWN_ERRORS = 20


def managers_required(view):
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not is_manager(request.user):
            raise PermissionDenied("Exchange rates are kept by managers.")
        return view(request, *args, **kwargs)

    return wrapper


@managers_required
@require_GET
def rates(request: HttpRequest) -> HttpResponse:
    filter_form = RateFilterForm(request.GET)
    currency = filter_form.cleaned_data["currency"].upper() if filter_form.is_valid() else ""
    return _page(request, currency=currency)


def _page(request, *, currency="", form=None, upload=None, status=200) -> HttpResponse:
    context = {
        "company_currency": company_currency(),
        "summary": selectors.rates_by_currency(),
        "rates": selectors.rates_listed(currency=currency or None),
        "shown": selectors.SHOWN,
        "currency": currency,
        "form": form or RateForm(),
        "upload_form": upload or RateUploadForm(),
    }
    return render(request, "currencies/rates.html", context, status=status)


@managers_required
@require_POST
def rate_add(request: HttpRequest) -> HttpResponse:
    form = RateForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    data = form.cleaned_data
    try:
        _, created, _ = services.rates_save(
            lines=[services.RateLine(data["currency"], data["day"], data["rate"])],
            actor=request.user,
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return _page(request, form=form, status=400)
    verb = "entered" if created else "corrected"
    messages.success(
        request,
        f"Rate {verb}: 1 {data['currency']} = {data['rate']:f} {company_currency()} "
        f"from {data['day']:%Y-%m-%d}.",
    )
    return redirect(reverse("currencies:rates") + f"?currency={data['currency']}")


@managers_required
@require_POST
def rates_import(request: HttpRequest) -> HttpResponse:
    upload = RateUploadForm(request.POST, request.FILES)
    if not upload.is_valid():
        return _page(request, upload=upload, status=400)
    try:
        result = rates_import_csv(raw=upload.cleaned_data["file"].read(), actor=request.user)
    except RateFileInvalid as exc:
        lines = exc.messages
        more = len(lines) - SHOWN_ERRORS
        shown = lines[:SHOWN_ERRORS] + ([f"… and {more} more."] if more > 0 else [])
        for line in shown:
            upload.add_error("file", line)
        return _page(request, upload=upload, status=400)
    messages.success(
        request, f"Rates imported: {result.created:,} new, {result.updated:,} corrected."
    )
    return redirect("currencies:rates")


@managers_required
@require_POST
def rate_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rate = get_object_or_404(ExchangeRate, pk=pk)
    try:
        services.rate_delete(rate=rate, actor=request.user)
    except services.RateInUse as exc:
        messages.error(request, exc.message)
        return redirect(reverse("currencies:rates") + f"?currency={rate.currency}")
    messages.success(request, f"Deleted the {rate.currency} rate of {rate.day:%Y-%m-%d}.")
    return redirect(reverse("currencies:rates") + f"?currency={rate.currency}")
