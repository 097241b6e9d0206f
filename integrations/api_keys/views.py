"""Managers create and revoke integration API keys. A new key is shown once, in the
response to the POST that made it (never stored, never cached), then only its prefix."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from funnel.roles import is_manager
from funnel.throttling import parse_rate
from integrations.api_keys.forms import ApiKeyCreateForm
from integrations.api_keys.services import api_key_create, api_key_revoke, api_keys_for_listing
from integrations.models import ApiKey
from integrations.sections import integration_sections


def _require_manager(request: HttpRequest) -> None:
    if not is_manager(request.user):
        raise PermissionDenied("Only managers manage integrations.")


@login_required
@require_GET
def integrations_index(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    tabs = integration_sections("")
    return redirect(tabs[0]["url"] if tabs else "home")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def api_keys(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    created_key = None
    if request.method == "POST":
        form = ApiKeyCreateForm(request.POST)
        if form.is_valid():
            api_key, raw_key = api_key_create(
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                created_by=request.user,
            )
            created_key = {"api_key": api_key, "raw_key": raw_key}
            form = ApiKeyCreateForm()
    else:
        form = ApiKeyCreateForm()
    return render(
        request,
        "integrations/api_keys.html",
        {
            "form": form,
            "created_key": created_key,
            "api_keys": api_keys_for_listing(),
            "sections": integration_sections("integrations:api_keys"),
            "limits": {
                scope: dict(zip(("count", "seconds"), parse_rate(rate), strict=True))
                for scope, rate in settings.FUNNEL_THROTTLE_RATES.items()
            },
        },
        # An invalid form is a 400, so scripts and tests can tell it from success.
        status=400 if request.method == "POST" and created_key is None else 200,
    )


@login_required
@require_POST
def api_key_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    api_key = get_object_or_404(ApiKey, pk=pk)
    if api_key.revoked_at is not None:
        messages.info(request, f"“{api_key.name}” was already revoked.")
    else:
        api_key_revoke(api_key_id=api_key.pk, revoked_by=request.user)
        messages.success(
            request, f"Revoked “{api_key.name}” ({api_key.prefix}…): it no longer works."
        )
    return redirect("integrations:api_keys")
