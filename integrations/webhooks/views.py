"""Webhook pages (managers only): endpoints, their secret, their delivery log, replays,
test events.

A new or rolled secret is shown once, in the response to the POST that made it. The
delivery log pages with a keyset cursor and filters by status; under htmx the filter,
the pages, the attempt log and the replay button swap only their part of the page.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from funnel.keyset import keyset_page
from funnel.roles import is_manager
from integrations.sections import integration_sections
from integrations.webhooks import services as webhooks
from integrations.webhooks.forms import DeliveryFilterForm, WebhookEndpointForm
from integrations.webhooks.models import WebhookDelivery, WebhookEndpoint
from integrations.webhooks.selectors import (
    webhook_deliveries_for_endpoint,
    webhook_delivery_attempts,
    webhook_endpoints_for_listing,
)

SECTION = "integrations:webhooks"
LOG_PAGE_SIZE = 25
MAX_ID = 2**63 - 1


def _endpoint_or_404(pk: int) -> WebhookEndpoint:
    return get_object_or_404(WebhookEndpoint, pk=_id_or_404(pk))


def _id_or_404(value: int) -> int:
    # URL ids beyond a bigint are no ids (and would overflow the database's integer).
    if value > MAX_ID:
        raise Http404("No such record.")
    return value


def _require_manager(request: HttpRequest) -> None:
    if not is_manager(request.user):
        raise PermissionDenied("Only managers manage integrations.")


def _render(request, template: str, context: dict, status: int = 200) -> HttpResponse:
    context = {
        "sections": integration_sections(SECTION),
        # `make run` lets endpoints on localhost through; the pages say so.
        "private_urls_allowed": settings.WEBHOOKS_ALLOW_PRIVATE_URLS,
        **context,
    }
    return render(request, template, context, status=status)


@login_required
@require_GET
def webhook_list(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    return _render(
        request, "integrations/webhook_list.html", {"endpoints": webhook_endpoints_for_listing()}
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def webhook_create(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = WebhookEndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = webhooks.webhook_endpoint_create(
                **form.cleaned_data, created_by=request.user
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return _render(
                request, "integrations/webhook_secret.html", {"endpoint": endpoint, "new": True}
            )
    return _render(
        request,
        "integrations/webhook_form.html",
        {"form": form, "endpoint": None},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def webhook_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    endpoint = _endpoint_or_404(pk)
    initial = {
        "url": endpoint.url,
        "description": endpoint.description,
        "events": endpoint.events,
        "is_active": endpoint.is_active,
    }
    form = WebhookEndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            webhooks.webhook_endpoint_update(endpoint=endpoint, data=form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Endpoint saved.")
            return redirect("integrations:webhook_detail", pk=endpoint.pk)
    return _render(
        request,
        "integrations/webhook_form.html",
        {"form": form, "endpoint": endpoint},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    endpoint = _endpoint_or_404(pk)
    filters = DeliveryFilterForm(request.GET)
    status = filters.cleaned_data["status"] if filters.is_valid() else ""
    page = keyset_page(
        webhook_deliveries_for_endpoint(endpoint_id=endpoint.pk, status=status or None),
        ordering=("-id",),
        cursor=request.GET.get("cursor"),
        page_size=LOG_PAGE_SIZE,
    )
    base = reverse("integrations:webhook_detail", args=[endpoint.pk])
    query = f"status={status}&" if status else ""
    context = {
        "endpoint": endpoint,
        "filters": filters,
        "page": page,
        "next_url": f"{base}?{query}cursor={page.next_cursor}" if page.next_cursor else None,
        "previous_url": (
            f"{base}?{query}cursor={page.previous_cursor}" if page.previous_cursor else None
        ),
    }
    if request.htmx and request.htmx.target == "delivery-log":
        return render(request, "integrations/webhook_log.html", context)
    return _render(request, "integrations/webhook_detail.html", context)


@never_cache
@login_required
@require_POST
def webhook_roll_secret(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    endpoint = _endpoint_or_404(pk)
    webhooks.webhook_endpoint_roll_secret(endpoint=endpoint)
    return _render(
        request, "integrations/webhook_secret.html", {"endpoint": endpoint, "new": False}
    )


@login_required
@require_POST
def webhook_send_test(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    endpoint = _endpoint_or_404(pk)
    try:
        webhooks.webhook_endpoint_send_test(endpoint=endpoint)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Test event queued: its delivery shows in the log below.")
    return redirect("integrations:webhook_detail", pk=endpoint.pk)


@login_required
@require_POST
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    endpoint = _endpoint_or_404(pk)
    webhooks.webhook_endpoint_delete(endpoint=endpoint)
    messages.success(request, f"Deleted the endpoint {endpoint.url} and its delivery log.")
    return redirect("integrations:webhooks")


@login_required
@require_GET
def webhook_delivery_view(request: HttpRequest, pk: int, delivery_id: int) -> HttpResponse:
    _require_manager(request)
    delivery = get_object_or_404(
        WebhookDelivery.objects.select_related("event", "endpoint"),
        pk=_id_or_404(delivery_id),
        endpoint_id=_id_or_404(pk),
    )
    context = {
        "delivery": delivery,
        "endpoint": delivery.endpoint,
        "attempts": list(webhook_delivery_attempts(delivery_id=delivery.pk)),
    }
    if request.htmx:
        return render(request, "integrations/webhook_attempts.html", context)
    # Without JavaScript: a page of its own, with the event's payload.
    return _render(request, "integrations/webhook_delivery.html", context)


@login_required
@require_POST
def webhook_delivery_replay(request: HttpRequest, pk: int, delivery_id: int) -> HttpResponse:
    _require_manager(request)
    delivery = get_object_or_404(
        WebhookDelivery.objects.select_related("event", "endpoint"),
        pk=_id_or_404(delivery_id),
        endpoint_id=_id_or_404(pk),
    )
    try:
        replay = webhooks.webhook_delivery_replay(delivery=delivery)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        replay = None
    else:
        note = "" if delivery.endpoint.is_active else " It waits until the endpoint is active."
        messages.success(request, f"Replay of {delivery.event.type} queued.{note}")
    if not request.htmx:
        return redirect("integrations:webhook_detail", pk=pk)
    replay = WebhookDelivery.objects.select_related("event").get(pk=replay.pk) if replay else None
    return render(
        request,
        "integrations/webhook_replayed.html",
        {"delivery": delivery, "replay": replay, "endpoint": delivery.endpoint},
        status=200 if replay else 409,
    )


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
