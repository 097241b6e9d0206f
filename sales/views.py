"""Sales pages: "My work", the board, the managers' quota page, and the lead page's sales
panel and timeline. Thin: selectors read, services write (see `sales.views_actions`)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from funnel.roles import is_manager
from leads.models import Lead
from leads.selectors import lead_is_editable_by, leads_visible_to
from sales import selectors
from sales.forms import ActivityForm, DealForm, LoseForm, PeriodForm, ReassignForm
from sales.models import Enrolment, LostReason, Sequence
from sales.periods import period_containing, today
from sales.services import active_sales_reps
from sales.services.owners import CLAIMABLE_STAGES
from sales.timeline_ui import lead_timeline_context


def sales_required(view):
    """Signed in, and a sales rep or a manager: the pages are the reps' work."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not selectors.can_work_sales(request.user):
            raise PermissionDenied("Sales pages are for sales reps and managers.")
        return view(request, *args, **kwargs)

    return wrapper


def managers_required(view):
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not is_manager(request.user):
            raise PermissionDenied("This page is for managers.")
        return view(request, *args, **kwargs)

    return wrapper


def wants_partial(request: HttpRequest) -> bool:
    return bool(
        request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request
    )


def render_page(request, full: str, partial: str, context: dict, status: int = 200):
    template = partial if wants_partial(request) else full
    response = render(request, template, context, status=status)
    # The same URL answers with a fragment or a page: caches must tell them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


def my_work_context(request: HttpRequest) -> dict:
    return {
        "work": selectors.my_work(user=request.user),
        "sequences": list(Sequence.objects.filter(is_active=True).order_by("name")),
    }


@sales_required
@require_GET
def my_work(request: HttpRequest) -> HttpResponse:
    return render_page(
        request, "sales/my_work.html", "sales/_my_work.html", my_work_context(request)
    )


def board_context(request: HttpRequest) -> dict:
    return {
        "columns": selectors.board(user=request.user),
        "deal_form": DealForm(),
        "lose_form": LoseForm(),
        # One query, only if a deal's "Lost…" form is drawn (the queryset caches its rows).
        "lost_reasons": LostReason.objects.filter(is_active=True),
    }


@sales_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    return render_page(request, "sales/board.html", "sales/_board.html", board_context(request))


def quotas_context(request: HttpRequest, *, source=None) -> dict:
    form = PeriodForm((source or request.GET) or None)
    now = today()
    kind, on = "month", now
    if form.is_bound and form.is_valid():
        kind = form.cleaned_data["period"] or "month"
        on = form.cleaned_data["on"] or now
    period = period_containing(kind, on)
    return {
        # A bad `period` or `on` shows the current month with the form's errors (a 400).
        "period_errors": [e for errors in form.errors.values() for e in errors]
        if form.is_bound
        else [],
        "board": selectors.quota_board(period=period, today=now, teams=True),
        "period": period,
        "previous": period.previous(),
        "next": period.next(),
        "other_kind": "quarter" if kind == "month" else "month",
        "today": now,
    }


@managers_required
@require_GET
def quotas(request: HttpRequest) -> HttpResponse:
    context = quotas_context(request)
    status = 400 if context["period_errors"] else 200
    return render_page(request, "sales/quotas.html", "sales/_quotas.html", context, status)


# --- The lead page --------------------------------------------------------------------


def lead_panel_context(request: HttpRequest, lead: Lead) -> dict:
    """What the lead page's sales panel shows and offers to this user."""
    user = request.user
    if not selectors.can_work_sales(user):
        return {"lead": lead, "show_sales": False}
    editable = lead_is_editable_by(user, lead=lead)
    deals = list(
        selectors.deals_visible_to(user)
        .filter(lead=lead)
        .select_related("owner")
        .order_by("status", "-created_at")[:20]
    )
    enrolments = list(
        Enrolment.objects.filter(lead=lead, status=Enrolment.Status.ACTIVE).select_related(
            "sequence"
        )
    )
    manager = is_manager(user)
    return {
        "lead": lead,
        "show_sales": True,
        "can_edit": editable,
        "can_claim": not manager and lead.owner_id is None and lead.stage in CLAIMABLE_STAGES,
        "can_reassign": manager,
        "can_reopen": manager,
        "deals": deals,
        "enrolments": enrolments,
        "sequences": (
            list(Sequence.objects.filter(is_active=True).order_by("name"))
            if editable and lead.stage == "prospect"
            else []
        ),
        "deal_form": DealForm(initial={"return_to": "lead"}),
        "lose_form": LoseForm(initial={"return_to": "lead"}),
        "lost_reasons": LostReason.objects.filter(is_active=True),
        "reassign_form": ReassignForm(initial={"owner": lead.owner_id}) if manager else None,
        "reps": list(active_sales_reps()) if manager else [],
    }


def timeline_context(request: HttpRequest, lead: Lead, *, form: ActivityForm | None = None):
    context = lead_timeline_context(user=request.user, lead=lead)
    can_log = selectors.can_work_sales(request.user) and lead_is_editable_by(
        request.user, lead=lead
    )
    context.update(
        {
            "lead": lead,
            "can_log": can_log,
            "activity_form": (form or ActivityForm()) if can_log else None,
        }
    )
    return context


@login_required
@require_GET
def lead_timeline_older(request: HttpRequest, pk: int) -> HttpResponse:
    """The next (older) page of the lead page's timeline, appended by htmx."""
    lead = get_object_or_404(leads_visible_to(request.user), pk=pk)
    context = lead_timeline_context(user=request.user, lead=lead, cursor=request.GET.get("cursor"))
    context["lead"] = lead
    template = "sales/_timeline_page.html" if wants_partial(request) else "sales/timeline_page.html"
    return render(request, template, context)
