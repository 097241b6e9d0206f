"""The deal board page and a card's move. Thin: `board.deal_board` reads,
`services.deal_move` writes.

A move into a won or lost stage first answers with a confirmation (the final amount and a
note, or the reason from the managed list); the confirmed form moves the deal. Under htmx
the board and the messages are re-rendered (the confirmation goes into the page's
dialog); without JavaScript the confirmation is a page and the move redirects back."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from funnel.stages import Cause
from sales import selectors
from sales.errors import SalesConflict
from sales.models import DealStage, LostReason
from sales.pipeline.board import deal_board
from sales.pipeline.forms import BoardFilterForm, DealMoveForm
from sales.pipeline.services import deal_move
from sales.views import sales_required, wants_partial


def _board_context(request: HttpRequest, source) -> dict:
    form = BoardFilterForm(source)
    board = deal_board(user=request.user, filters=form.filters())
    query = {
        "owner": board.filters.owner_id or "",
        "team": board.filters.team_id or "",
        "period": board.filters.period,
    }
    return {
        "board": board,
        "filter_form": form,
        "filter_errors": [e for errors in form.errors.values() for e in errors],
        "board_query": urlencode({k: v for k, v in query.items() if v}),
        "lost_reasons": LostReason.objects.filter(is_active=True),
    }


@sales_required
@require_GET
def board_page(request: HttpRequest) -> HttpResponse:
    context = _board_context(request, request.GET or None)
    status = 400 if context["filter_errors"] else 200
    template = "sales/_deal_board.html" if wants_partial(request) else "sales/deal_board.html"
    response = render(request, template, context, status=status)
    response["Vary"] = "HX-Request"
    return response


def _board_answer(request: HttpRequest, status: int = 200) -> HttpResponse:
    context = _board_context(request, request.POST)
    if not wants_partial(request):
        url = reverse("sales:deal_board")
        return redirect(f"{url}?{context['board_query']}" if context["board_query"] else url)
    response = render(request, "sales/_deal_board_answer.html", context, status=status)
    response["HX-Retarget"] = "#deal-board"
    response["HX-Reswap"] = "outerHTML"
    return response


@sales_required
@require_POST
def deal_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_object_or_404(
        selectors.deals_visible_to(request.user).select_related("lead", "stage"), pk=pk
    )
    form = DealMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The deal was not moved: " + _errors(form.errors))
        return _board_answer(request, status=400)
    data = form.cleaned_data
    target = DealStage.objects.filter(pk=data["to_stage"], pipeline=deal.stage.pipeline).first()
    if target is None:
        messages.error(request, "The deal was not moved: that stage is not in its pipeline.")
        return _board_answer(request, status=400)
    if target.is_closed and not deal.stage.is_closed and not data["confirmed"]:
        return _confirmation(request, deal, target)
    try:
        moved = deal_move(
            deal_id=deal.pk,
            to_stage=target,
            actor=request.user,
            cause=Cause.MANUAL,
            amount=data["amount"] if target.is_won else None,
            note=data["note"],
            lost_reason=data["lost_reason"],
            reason=data["reason"],
        )
    except SalesConflict as exc:
        messages.error(request, exc.message)
        return _board_answer(request, status=409)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return _board_answer(request, status=403)
    except ValidationError as exc:
        if target.is_closed:
            return _confirmation(request, deal, target, error=_errors(exc), status=400)
        messages.error(request, "The deal was not moved: " + _errors(exc))
        return _board_answer(request, status=400)
    became = ""
    if target.is_won and deal.lead.stage == "prospect":
        became = f" {deal.lead} is a customer now."
    messages.success(request, f"Moved “{moved.title}” to {target.name}.{became}")
    return _board_answer(request)


def _confirmation(request, deal, target, *, error: str = "", status: int = 200) -> HttpResponse:
    context = {
        "deal": deal,
        "target": target,
        "error": error,
        "lost_reasons": LostReason.objects.filter(is_active=True),
        "board_filters": {k: request.POST.get(k, "") for k in ("owner", "team", "period")},
    }
    if not wants_partial(request):
        return render(request, "sales/deal_move_confirm.html", context, status=status)
    response = render(request, "sales/_deal_move_confirm.html", context, status=status)
    response["HX-Retarget"] = "#deal-dialog-body"
    response["HX-Reswap"] = "innerHTML"
    return response


def _errors(errors) -> str:
    if isinstance(errors, ValidationError):
        if hasattr(errors, "error_dict"):
            return " ".join(str(m) for ms in errors.message_dict.values() for m in ms)
        return " ".join(errors.messages)
    return " ".join(str(e) for es in errors.values() for e in es)
