"""Lead pages: the lists (all, prospects, customers), one lead, and its stage move.

Thin on purpose: scoping comes from `leads.selectors`, the timeline from the sales area
(`sales.views.timeline_context`), the move from `funnel.services.lead_transition`. Under
htmx a page returns only the part that changed; without JavaScript the same URLs work as
plain GET/POST + redirect.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from funnel.keyset import bounded_count, keyset_page
from funnel.roles import is_manager
from funnel.services import lead_transition
from funnel.stages import Cause, IllegalTransition, MoveNeedsManager, Stage
from leads.forms import SORTS, LeadListFilterForm, LeadMoveForm
from leads.models import Lead, LeadMerge
from leads.selectors import lead_is_editable_by, leads_creatable_by, leads_visible_to
from lists.saved_views import list_columns
from sales.views import timeline_context

PAGE_SIZE = 25
# Lists never count past this: "1,000+" is all a person needs, and it stays cheap at 1M rows.
COUNT_LIMIT = 1000


@dataclass(frozen=True)
class LeadList:
    url_name: str
    title: str
    noun: str
    stage: Stage | None
    intro: str


LISTS = {
    "list": LeadList(
        "leads:list", "Leads", "lead", None, "Everyone in the funnel, from first touch on."
    ),
    "prospects": LeadList(
        "leads:prospects",
        "Prospects",
        "prospect",
        Stage.PROSPECT,
        "Qualified leads that sales is working on.",
    ),
    "customers": LeadList(
        "leads:customers",
        "Customers",
        "customer",
        Stage.CUSTOMER,
        "People who have won at least one deal with us.",
    ),
}

# The list a lead "belongs" to, for its page's breadcrumb and highlighted navigation.
LIST_OF_STAGE = {Stage.PROSPECT: LISTS["prospects"], Stage.CUSTOMER: LISTS["customers"]}

# Sortable columns: (column, ascending sort key, descending sort key, first click).
SORTABLE_COLUMNS = {
    "name": ("name", "-name", "name"),
    "score": ("score", "-score", "-score"),
    "created": ("created", "-created", "-created"),
}


@login_required
@require_GET
def lead_list(request: HttpRequest, kind: str) -> HttpResponse:
    spec = LISTS[kind]
    scoped = leads_visible_to(request.user)
    if spec.stage is not None:
        scoped = scoped.filter(stage=spec.stage)
    form = LeadListFilterForm(request.GET, user=request.user, with_stage=spec.stage is None)
    leads = form.filter(scoped).select_related("owner", "source_campaign")
    page = keyset_page(
        leads, ordering=form.ordering, cursor=request.GET.get("cursor"), page_size=PAGE_SIZE
    )
    total = bounded_count(leads, limit=COUNT_LIMIT)
    context = {
        "list": spec,
        "form": form,
        "page": page,
        "total": total,
        "total_capped": total > COUNT_LIMIT,
        "count_limit": COUNT_LIMIT,
        "sort": form.sort_key,
        "sort_label": SORTS[form.sort_key][0],
        "sort_links": _sort_links(request.GET, form.sort_key),
        "newer_first": form.sort_key == "-created",
        "next_url": _with(request.GET, cursor=page.next_cursor) if page.next_cursor else None,
        "previous_url": (
            _with(request.GET, cursor=page.previous_cursor) if page.previous_cursor else None
        ),
        "has_filters": form.active_count > 0 or bool(request.GET.get("search", "").strip()),
        "clear_url": reverse(spec.url_name),
        "export_url": _export_url(request.GET, kind=kind if spec.stage is not None else None),
        "can_create": leads_creatable_by(request.user),
        "columns": list_columns(
            user=request.user, list_kind=kind, view_param=request.GET.get("view")
        ),
    }
    partial = request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request
    template = "leads/_list_results.html" if partial else "leads/lead_list.html"
    response = render(request, template, context)
    # The same URL answers with a fragment or a page: caches must tell them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_GET
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visible = leads_visible_to(request.user)
    lead = visible.select_related("owner", "source_campaign").filter(pk=pk).first()
    if lead is None:
        # A bookmark of a lead merged away leads to its survivor, if the person may see it.
        merge = LeadMerge.objects.filter(merged_lead_id=pk).order_by("-at").first()
        if merge is not None and visible.filter(pk=merge.survivor_id).exists():
            messages.info(request, f"{merge.merged_email} was merged into this lead.")
            return redirect("leads:detail", pk=merge.survivor_id)
        raise Http404("No such lead.")
    can_move = lead_is_editable_by(request.user, lead=lead)
    return _lead_page(request, lead, can_move=can_move, form=None)


@login_required
@require_POST
def lead_transition_view(request: HttpRequest, pk: int) -> HttpResponse:
    lead = get_object_or_404(
        leads_visible_to(request.user).select_related("owner", "source_campaign"), pk=pk
    )
    if not lead_is_editable_by(request.user, lead=lead):
        raise PermissionDenied("You can see this lead but not change it.")
    manager = is_manager(request.user)
    form = LeadMoveForm(request.POST, lead=lead, manager=manager)
    if not form.is_valid():
        return _lead_page(request, lead, can_move=True, form=form, status=400)

    target = Stage(form.cleaned_data["to_stage"])
    from_stage = Stage(lead.stage)
    try:
        moved = lead_transition(
            lead_id=lead.pk,
            to_stage=target,
            cause=Cause.MANUAL,
            actor=request.user,
            reason=form.cleaned_data["reason"].strip(),
        )
    except ValidationError as exc:
        # A restricted move without a reason: the form says which field.
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return _lead_page(request, lead, can_move=True, form=form, status=400)
    except IllegalTransition as exc:
        lead.refresh_from_db()
        if isinstance(exc, MoveNeedsManager):
            messages.error(request, f"{exc} Nothing was changed.")
        else:
            messages.error(
                request,
                f"A {Stage(exc.from_stage).label.lower()} cannot move to "
                f"{Stage(exc.to_stage).label.lower()}. Nothing was changed: the lead may have "
                "moved since you opened this page, so check its current stage below.",
            )
        # Keep what the person typed; offer the moves that are legal now.
        retry = LeadMoveForm(
            initial={"reason": form.cleaned_data["reason"]}, lead=lead, manager=manager
        )
        status = 403 if isinstance(exc, MoveNeedsManager) else 409
        return _lead_page(request, lead, can_move=True, form=retry, status=status)

    name = moved.full_name or moved.email
    if from_stage == target:
        messages.info(request, f"{name} is already a {target.label.lower()}; nothing changed.")
    else:
        messages.success(request, f"Moved {name} from {from_stage.label} to {target.label}.")
    if not request.htmx:
        return redirect("leads:detail", pk=lead.pk)
    moved.owner, moved.source_campaign = lead.owner, lead.source_campaign
    return _lead_page(request, moved, can_move=True, form=None)


def _lead_page(
    request: HttpRequest,
    lead: Lead,
    *,
    can_move: bool,
    form: LeadMoveForm | None,
    status: int = 200,
) -> HttpResponse:
    home_list = LIST_OF_STAGE.get(Stage(lead.stage), LISTS["list"])
    # funnel.context_processors highlights the navigation entry of this path.
    request.nav_path = reverse(home_list.url_name)
    context = {
        "list_url_name": home_list.url_name,
        "list_title": home_list.title,
        "lead": lead,
        "stage": Stage(lead.stage),
        "can_move": can_move,
        "move_form": form
        or (LeadMoveForm(lead=lead, manager=is_manager(request.user)) if can_move else None),
        # The sales timeline: stage moves, touches, activities, deals, paginated.
        **timeline_context(request, lead),
        "stage_since": lead.stage_changed_at or lead.created_at,
    }
    # A move made with htmx swaps the stage panel and, out of band, the header badge,
    # the timeline and the messages; everything else is a full page.
    partial = request.method == "POST" and request.htmx
    template = "leads/_lead_moved.html" if partial else "leads/lead_detail.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _export_url(params: QueryDict, *, kind: str | None) -> str:
    """The CSV export (marketing.exports) of the list as filtered and sorted now; `list`
    names the stage list it exports (prospects, customers), absent for all leads."""
    query = _with(params, cursor=None, list=kind)
    return reverse("marketing:leads-export") + (query if query != "?" else "")


def _with(params: QueryDict, **changes: str | None) -> str:
    """`?query` of the current filters with `changes` applied (None removes a key)."""
    query = params.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value is not None:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


def _sort_links(params: QueryDict, current: str) -> dict[str, dict[str, str]]:
    """For each sortable column: the URL that sorts by it (toggling direction when it is
    already the sort) and its aria-sort state."""
    links = {}
    for column, (ascending, descending, first) in SORTABLE_COLUMNS.items():
        if current == ascending:
            target, state = descending, "ascending"
        elif current == descending:
            target, state = ascending, "descending"
        else:
            target, state = first, "none"
        links[column] = {
            "url": _with(params, sort=target, cursor=None),
            "aria": state,
            "label": SORTS[target][0],
        }
    return links
