"""What a rep or manager does from the sales pages (POST only): log activities, complete
tasks, open/win/lose deals, move a prospect from the board, claim, reassign, enrol.

Each action calls one service. Under htmx it answers with the part of the page it came
from (`return_to`: the board, the lead page's panel, "My work") and the messages, out of
band; without JavaScript it redirects there. A refused action is a 400 (bad input) or a
409 (state conflict) with the same part and the reason as a message.
"""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from funnel.formatting import money_text, person_name
from funnel.roles import is_sales_rep
from funnel.services import lead_transition
from funnel.stages import Cause, IllegalTransition, Stage
from leads.merge_policy import WriteOrigin
from leads.models import ChangeSource, Lead
from leads.selectors import lead_is_editable_by, leads_editable_by, leads_visible_to
from sales import selectors, services
from sales.errors import SalesConflict
from sales.forms import (
    ActivityForm,
    BoardMoveForm,
    DealForm,
    EnrolForm,
    LoseForm,
    QuotaSetForm,
    ReassignForm,
    ReopenForm,
    ReturnToForm,
    WinForm,
)
from sales.models import Deal
from sales.views import (
    board_context,
    managers_required,
    my_work_context,
    quotas_context,
    sales_required,
    timeline_context,
    wants_partial,
)

PARTIALS = {"board": "sales/_board.html", "my_work": "sales/_my_work.html"}


def _return_to(request: HttpRequest, default: str) -> str:
    form = ReturnToForm(request.POST)
    value = form.cleaned_data.get("return_to") if form.is_valid() else ""
    return value or default


def _error_text(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return " ".join(str(m) for messages_ in error.message_dict.values() for m in messages_)
    return " ".join(error.messages)


def _form_errors(form) -> str:
    return " ".join(f"{error}" for errors in form.errors.values() for error in errors)


def _answer(request: HttpRequest, where: str, *, lead: Lead | None = None, status: int = 200):
    """The part of the page the action came from, re-rendered, or a redirect to it.

    On the lead page an action can change the stage, the owner, the panel and the
    timeline at once, so htmx reloads the page (the message waits in the session)."""
    if where == "lead" and lead is not None:
        if wants_partial(request):
            return HttpResponse(status=status, headers={"HX-Refresh": "true"})
        return redirect("leads:detail", pk=lead.pk)
    if not wants_partial(request):
        return redirect("sales:my_work" if where == "my_work" else "sales:board")
    context = my_work_context(request) if where == "my_work" else board_context(request)
    context["partial"] = PARTIALS["my_work" if where == "my_work" else "board"]
    return render(request, "sales/_action_response.html", context, status=status)


def _refused(request, where, exc, *, lead=None) -> HttpResponse:
    if isinstance(exc, SalesConflict):
        messages.error(request, exc.message)
        return _answer(request, where, lead=lead, status=409)
    if isinstance(exc, IllegalTransition):
        messages.error(request, f"{exc} Nothing was changed: the lead may have moved meanwhile.")
        return _answer(request, where, lead=lead, status=409)
    messages.error(request, _error_text(exc))
    return _answer(request, where, lead=lead, status=400)


def _editable_lead(request: HttpRequest, pk: int) -> Lead:
    lead = get_object_or_404(leads_visible_to(request.user), pk=pk)
    if not lead_is_editable_by(request.user, lead=lead):
        raise PermissionDenied("This lead is not yours: claim it, or ask a manager.")
    return lead


# --- Deals ----------------------------------------------------------------------------


@sales_required
@require_POST
def deal_create(request: HttpRequest, lead_pk: int) -> HttpResponse:
    lead = _editable_lead(request, lead_pk)
    where = _return_to(request, "lead")
    form = DealForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"The deal was not opened: {_form_errors(form)}")
        return _answer(request, where, lead=lead, status=400)
    data = form.cleaned_data
    try:
        deal = services.deal_create(
            lead=lead,
            title=data["title"],
            amount=data["amount"],
            currency=data["currency"] or None,
            expected_close_on=data["expected_close_on"],
            promo_code=data["promo_code"],
            created_by=request.user,
        )
    except (SalesConflict, ValidationError) as exc:
        return _refused(request, where, exc, lead=lead)
    messages.success(request, f"Opened “{deal.title}” for {lead}.")
    return _answer(request, where, lead=lead, status=201 if wants_partial(request) else 200)


def _visible_deal(request: HttpRequest, pk: int) -> Deal:
    return get_object_or_404(selectors.deals_visible_to(request.user).select_related("lead"), pk=pk)


def _deal_action(
    request: HttpRequest,
    pk: int,
    *,
    form_class,
    return_to: str,
    invalid: Callable[[object], str],
    act: Callable[[Deal, dict], str],
) -> HttpResponse:
    """A button on a deal (win, lose, reopen): the form checked (400 with `invalid`'s
    message), `act` calls the service and says what happened; a refusal is shown as
    `_refused` shows it. Answered where the button was (board or lead page)."""
    deal = _visible_deal(request, pk)
    where = _return_to(request, return_to)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, invalid(form))
        return _answer(request, where, lead=deal.lead, status=400)
    try:
        message = act(deal, form.cleaned_data)
    except (SalesConflict, ValidationError) as exc:
        return _refused(request, where, exc, lead=deal.lead)
    messages.success(request, message)
    return _answer(request, where, lead=deal.lead)


@sales_required
@require_POST
def deal_win(request: HttpRequest, pk: int) -> HttpResponse:
    def act(deal: Deal, data: dict) -> str:
        won = services.deal_win(
            deal_id=deal.pk,
            actor=request.user,
            cause=Cause.MANUAL,
            amount=data["amount"],
            note=data["note"],
        )
        became = " They are a customer now." if deal.lead.stage == Stage.PROSPECT else ""
        return f"Won “{won.title}”.{became}"

    return _deal_action(
        request,
        pk,
        form_class=WinForm,
        return_to="board",
        invalid=lambda form: f"The deal was not won: {_form_errors(form)}",
        act=act,
    )


@sales_required
@require_POST
def deal_lose(request: HttpRequest, pk: int) -> HttpResponse:
    def act(deal: Deal, data: dict) -> str:
        services.deal_lose(
            deal_id=deal.pk,
            actor=request.user,
            reason=data["reason"],
            lost_reason=data["lost_reason"],
        )
        return (
            f"Marked “{deal.title}” lost. {deal.lead} is still a {deal.lead.stage}: move "
            "them on the board if they are lost too."
        )

    return _deal_action(
        request,
        pk,
        form_class=LoseForm,
        return_to="board",
        invalid=lambda form: "Say why the deal was lost.",
        act=act,
    )


@sales_required
@require_POST
def deal_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """A manager undoes a win recorded by mistake; the lead's stage is left alone."""

    def act(deal: Deal, data: dict) -> str:
        services.deal_reopen(deal_id=deal.pk, actor=request.user, reason=data["reason"])
        stays = (
            f" {deal.lead} is still a customer: if this was their only win, a manager can "
            "move them back to prospect from the Stage panel (with a reason)."
            if deal.lead.stage == Stage.CUSTOMER
            else ""
        )
        return f"Reopened “{deal.title}”: it is open again.{stays}"

    return _deal_action(
        request,
        pk,
        form_class=ReopenForm,
        return_to="lead",
        invalid=lambda form: "Say why the deal is reopened.",
        act=act,
    )


# --- Leads ----------------------------------------------------------------------------


@sales_required
@require_POST
def lead_move(request: HttpRequest, lead_pk: int) -> HttpResponse:
    """Stage moves from the board: prospect → lost or back to lead; lost → prospect."""
    lead = _editable_lead(request, lead_pk)
    where = _return_to(request, "board")
    form = BoardMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _answer(request, where, lead=lead, status=400)
    target = Stage(form.cleaned_data["to_stage"])
    try:
        lead_transition(
            lead_id=lead.pk,
            to_stage=target,
            cause=Cause.MANUAL,
            actor=request.user,
            reason=form.cleaned_data["reason"].strip(),
        )
    except IllegalTransition as exc:
        return _refused(request, where, exc, lead=lead)
    messages.success(request, f"Moved {lead} to {target.label.lower()}.")
    return _answer(request, where, lead=lead)


@sales_required
@require_POST
def lead_claim(request: HttpRequest, lead_pk: int) -> HttpResponse:
    lead = get_object_or_404(leads_visible_to(request.user), pk=lead_pk)
    if not is_sales_rep(request.user):
        raise PermissionDenied("Only sales reps claim leads.")
    where = _return_to(request, "lead")
    origin = WriteOrigin(source=ChangeSource.WEB, actor=request.user)
    try:
        services.lead_claim(lead_id=lead.pk, rep=request.user, origin=origin)
    except (SalesConflict, ValidationError) as exc:
        return _refused(request, where, exc, lead=lead)
    messages.success(request, f"{lead} is yours now.")
    return _answer(request, where, lead=lead)


@managers_required
@require_POST
def lead_reassign(request: HttpRequest, lead_pk: int) -> HttpResponse:
    lead = get_object_or_404(leads_visible_to(request.user), pk=lead_pk)
    form = ReassignForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Not reassigned: {_form_errors(form)}")
        return _answer(request, "lead", lead=lead, status=400)
    owner = form.cleaned_data["owner"]
    try:
        services.lead_reassign(
            lead_id=lead.pk, to_owner=owner, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        return _refused(request, "lead", exc, lead=lead)
    who = owner.get_full_name() or owner.get_username() if owner else "the unassigned pool"
    messages.success(request, f"{lead} now belongs to {who}.")
    return _answer(request, "lead", lead=lead)


@sales_required
@require_POST
def enrol(request: HttpRequest) -> HttpResponse:
    """Enrol one prospect (lead page) or many (My work) in a sequence."""
    where = _return_to(request, "my_work")
    form = EnrolForm(request.POST)
    lead = None
    if form.is_valid() and where == "lead" and len(form.cleaned_data["leads"]) == 1:
        lead = get_object_or_404(leads_visible_to(request.user), pk=form.cleaned_data["leads"][0])
    if not form.is_valid():
        messages.error(request, f"Nobody was enrolled: {_form_errors(form)}")
        return _answer(request, where, lead=lead, status=400)
    ids = form.cleaned_data["leads"]
    mine = set(leads_editable_by(request.user).filter(pk__in=ids).values_list("pk", flat=True))
    if len(mine) != len(ids):
        messages.error(request, "Nobody was enrolled: you can only enrol your own prospects.")
        return _answer(request, where, lead=lead, status=400)
    sequence = form.cleaned_data["sequence"]
    try:
        created, already = services.leads_enrol(
            sequence_id=sequence.pk, lead_ids=ids, actor=request.user
        )
    except (SalesConflict, ValidationError) as exc:
        return _refused(request, where, exc, lead=lead)
    text = f"Enrolled {len(created)} in “{sequence.name}”."
    if already:
        text += f" {len(already)} already running it."
    messages.success(request, text)
    return _answer(request, where, lead=lead)


# --- Activities -----------------------------------------------------------------------


@sales_required
@require_POST
def activity_log(request: HttpRequest, lead_pk: int) -> HttpResponse:
    """The lead page's "Log activity" form: answers with the refreshed timeline card."""
    lead = _editable_lead(request, lead_pk)
    form = ActivityForm(request.POST)
    status = 201
    if form.is_valid():
        data = form.cleaned_data
        try:
            activity = services.activity_create(
                lead=lead,
                kind=data["kind"],
                subject=data["subject"],
                body=data["body"],
                due_at=data["due_at"],
                created_by=request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            status = 400
        else:
            done = "Logged" if activity.done_at else "Planned"
            messages.success(request, f"{done} {activity.get_kind_display().lower()}.")
            form = None
    else:
        status = 400
    if not wants_partial(request):
        if status == 400:
            messages.error(request, f"Nothing was logged: {_form_errors(form)}")
        return redirect("leads:detail", pk=lead.pk)
    lead = Lead.objects.select_related("owner", "source_campaign").get(pk=lead.pk)
    context = timeline_context(request, lead, form=form)
    return render(
        request, "sales/_timeline.html", {**context, "with_messages": True}, status=status
    )


@sales_required
@require_POST
def task_complete(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(
        selectors.activities_visible_to(request.user).select_related("lead"), pk=pk
    )
    where = _return_to(request, "my_work")
    services.activity_complete(activity_id=activity.pk, actor=request.user)
    messages.success(request, f"Done: {activity.subject}.")
    return _answer(request, where, lead=activity.lead)


# --- Quotas ---------------------------------------------------------------------------


@managers_required
@require_POST
def quota_set(request: HttpRequest) -> HttpResponse:
    form = QuotaSetForm(request.POST)
    status = 200
    if not form.is_valid():
        messages.error(request, f"The target was not saved: {_form_errors(form)}")
        status = 400
    else:
        data = form.cleaned_data
        try:
            services.quota_set(
                owner=data["owner"],
                period=data["period"],
                starts_on=data["starts_on"],
                target=data["target"],
                actor=request.user,
                team=data["team"],
            )
        except (SalesConflict, ValidationError) as exc:
            messages.error(
                request, exc.message if isinstance(exc, SalesConflict) else _error_text(exc)
            )
            status = 409 if isinstance(exc, SalesConflict) else 400
        else:
            who = person_name(data["owner"]) if data["owner"] else "the team"
            who = f"team {data['team'].name}" if data["team"] else who
            messages.success(request, f"Target for {who} set to {money_text(data['target'])}.")
    source = {"period": request.POST.get("period", ""), "on": request.POST.get("starts_on", "")}
    if not wants_partial(request):
        query = urlencode({k: v for k, v in source.items() if v})
        return redirect(f"{reverse('sales:quotas')}?{query}")
    context = quotas_context(request, source=source)
    context["partial"] = "sales/_quotas.html"
    return render(request, "sales/_action_response.html", context, status=status)
