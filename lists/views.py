"""Bulk actions from the lead lists: start one, confirm a delete, follow its progress.

Thin: the form checks the shape, `lists.services` decides who may do what to which leads.
Under htmx the answer is a fragment for the list's live region; without JavaScript the
same URLs work as POST + redirect to the action's own page.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from lists.forms import BulkActionForm
from lists.models import BulkAction
from lists.selection import LIST_STAGES, filter_query, selection_visible
from lists.services import bulk_action_create

LIST_URLS = {"list": "leads:list", "prospects": "leads:prospects", "customers": "leads:customers"}


@login_required
@require_POST
def bulk_action_start(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in LIST_STAGES:
        raise Http404
    form = BulkActionForm(request.POST, user=request.user)
    if not form.is_valid():
        return _answer(request, "lists/_bulk_error.html", {"form": form, "kind": kind}, 400)
    data = form.cleaned_data
    query = filter_query(QueryDict(data["query"].lstrip("?")))
    if data["action"] == "export":
        return _export(request, kind=kind, query=query, lead_ids=form.lead_ids)
    if data["action"] == BulkAction.Action.DELETE and not data["confirm"]:
        # Deleting erases history: say how many first, then act on a second POST.
        count = selection_visible(
            user=request.user, list_kind=kind, query=query, lead_ids=form.lead_ids
        ).count()
        context = {
            "form": form,
            "kind": kind,
            "count": count,
            "query": query,
            "list_url": _list_url(kind, query, origin=data["origin"]),
        }
        return _answer(request, "lists/_bulk_confirm.html", context)
    try:
        bulk = bulk_action_create(
            user=request.user,
            list_kind=kind,
            action=data["action"],
            params=form.params,
            query=query,
            lead_ids=form.lead_ids,
        )
    except PermissionDenied as exc:
        form.add_error(None, str(exc) or "You may not do this.")
        return _answer(request, "lists/_bulk_error.html", {"form": form, "kind": kind}, 403)
    except ValidationError as exc:
        for field, errors in getattr(exc, "error_dict", {None: exc.error_list}).items():
            form.add_error(field if field in form.fields else None, errors)
        return _answer(request, "lists/_bulk_error.html", {"form": form, "kind": kind}, 400)
    if not request.htmx:
        return redirect("lists:bulk-action", pk=bulk.pk)
    return _progress(request, bulk)


@login_required
@require_GET
def bulk_action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Someone else's action answers as one that does not exist.
    bulk = get_object_or_404(BulkAction.objects.filter(user=request.user), pk=pk)
    if request.htmx:
        return _progress(request, bulk)
    request.nav_path = reverse(LIST_URLS[bulk.list_kind])
    context = {"bulk": bulk, "list_url": _list_url(bulk.list_kind, bulk.query)}
    return render(request, "lists/bulk_action.html", context)


def _progress(request: HttpRequest, bulk: BulkAction) -> HttpResponse:
    response = render(request, "lists/_bulk_progress.html", {"bulk": bulk})
    if bulk.is_finished:
        # The list under the bar refreshes itself on this event (leads/_list_results.html).
        response["HX-Trigger"] = "leads-changed"
    patch_vary_headers(response, ("HX-Request",))
    return response


def _export(
    request: HttpRequest, *, kind: str, query: str, lead_ids: list[int] | None
) -> HttpResponse:
    params = QueryDict(query, mutable=True)
    if kind != "list":
        params["list"] = kind
    if lead_ids is not None:
        params.setlist("id", [str(pk) for pk in lead_ids])
    url = reverse("marketing:leads-export") + "?" + params.urlencode()
    if request.htmx:
        # A download is a navigation, not a swap.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _answer(request: HttpRequest, template: str, context: dict, status: int = 200):
    if not request.htmx:
        origin = context["form"].data.get("origin", "")
        back = _list_url(context["kind"], "", origin=origin)
        context = {"list_url": back, **context, "partial": template}
        template = "lists/bulk_page.html"
    return render(request, template, context, status=status)


def _list_url(kind: str, query: str, *, origin: str = "") -> str:
    if origin == "board":
        return reverse("sales:board")
    return reverse(LIST_URLS[kind]) + (f"?{query}" if query else "")
