"""The Teams page (managers): every team with its manager and reps, a form to change each
and one to add a team. Writes go through `team_save`; a refusal is a 400 with the
message, nothing written."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from funnel.roles import MANAGERS
from sales.services.owners import active_sales_reps
from sales.teams.selectors import teams_visible_to
from sales.teams.services import team_save
from sales.views import managers_required


def _context(request: HttpRequest) -> dict:
    reps = list(active_sales_reps().order_by("first_name", "username"))
    managers = get_user_model().objects.filter(is_active=True, groups__name=MANAGERS)
    return {
        "teams": list(teams_visible_to(request.user).order_by("name")),
        "reps": reps,
        "managers": list(managers.order_by("first_name", "username")),
    }


@managers_required
@require_GET
def teams_page(request: HttpRequest) -> HttpResponse:
    return render(request, "sales/teams.html", _context(request))


@managers_required
@require_POST
def team_save_view(request: HttpRequest) -> HttpResponse:
    try:
        team_save(
            actor=request.user,
            team_id=_int(request.POST.get("team")),
            name=request.POST.get("name", ""),
            manager_id=_int(request.POST.get("manager")),
            member_ids=[i for i in map(_int, request.POST.getlist("members")) if i],
        )
    except (ValidationError, PermissionDenied) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, f"The team was not saved: {text}")
        status = 403 if isinstance(exc, PermissionDenied) else 400
        return render(request, "sales/teams.html", _context(request), status=status)
    messages.success(request, f"Saved the team {request.POST.get('name', '').strip()}.")
    return redirect(reverse("sales:teams"))


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None
