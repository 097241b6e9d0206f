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


@register.simple_tag
def bulk_url(lead_list) -> str:
    return reverse("lists:bulk-start", args=[KIND_OF_URL[lead_list.url_name]])
