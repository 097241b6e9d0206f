"""The bulk-action bar of a lead list, so the list's view needs no change for it."""

from django import template
from django.urls import reverse

from lists.forms import BulkActionForm
from lists.selection import filter_query

register = template.Library()

KIND_OF_URL = {"leads:list": "list", "leads:prospects": "prospects", "leads:customers": "customers"}


@register.inclusion_tag("lists/_bulk_bar.html", takes_context=True)
def bulk_bar(context, lead_list, total, total_capped):
    request = context["request"]
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "kind": KIND_OF_URL[lead_list.url_name],
        "form": BulkActionForm(user=request.user),
        "query": filter_query(request.GET),
        "total": total,
        "total_capped": total_capped,
        "noun": lead_list.noun,
    }


@register.inclusion_tag("lists/_bulk_bar.html", takes_context=True)
def board_bulk_bar(context):
    """The same bar for the sales board: its cards are leads of any stage, so the
    selection is the ticked ids within everything the user may see (the "list" kind)."""
    request = context["request"]
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "kind": "list",
        "origin": "board",
        "form": BulkActionForm(user=request.user),
        "query": "",
        "total": None,
        "noun": "lead",
    }


@register.simple_tag
def bulk_url(lead_list) -> str:
    return reverse("lists:bulk-start", args=[KIND_OF_URL[lead_list.url_name]])


@register.inclusion_tag("lists/_views_menu.html", takes_context=True)
def saved_views_menu(context, lead_list):
    from lists.saved_views import saved_views_for
    from lists.selection import filter_query
    from lists.views_saved import SavedViewForm, saved_view_url

    request = context["request"]
    kind = KIND_OF_URL[lead_list.url_name]
    views = list(saved_views_for(user=request.user, list_kind=kind).order_by("name", "pk"))
    current = request.GET.get("view", "")
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "kind": kind,
        "views": [
            {
                "view": v,
                "url": saved_view_url(v),
                "mine": v.user_id == request.user.pk,
                "current": str(v.pk) == current,
            }
            for v in views
        ],
        "form": SavedViewForm(user=request.user, initial={"query": filter_query(request.GET)}),
        "default_url": reverse(lead_list.url_name) + "?view=none",
    }


@register.filter
def claimable_by(lead, user) -> bool:
    """Offer "Claim" on a row: a rep (not a manager), an unassigned lead still in play.
    Roles are cached on the user, so this costs no query per row."""
    from funnel.roles import is_manager, is_sales_rep
    from sales.services.owners import CLAIMABLE_STAGES

    return (
        lead.owner_id is None
        and lead.stage in CLAIMABLE_STAGES
        and is_sales_rep(user)
        and not is_manager(user)
    )
