"""The header search: a results page grouped by kind, and the live suggestions the header
box shows under itself (htmx). Thin: `search.selectors` does the finding and the scoping."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from search.selectors import LEAD_LIMIT, MIN_QUERY_LENGTH, search_everything

# The suggestions under the box stay short; the page shows more.
SUGGESTION_LEADS = 6
SUGGESTION_OTHERS = 3


@login_required
@require_GET
def search_results(request: HttpRequest) -> HttpResponse:
    results = search_everything(user=request.user, text=request.GET.get("q", ""))
    return render(request, "search/results.html", _context(results, lead_limit=LEAD_LIMIT))


@login_required
@require_GET
def search_suggestions(request: HttpRequest) -> HttpResponse:
    results = search_everything(
        user=request.user,
        text=request.GET.get("q", ""),
        lead_limit=SUGGESTION_LEADS,
        other_limit=SUGGESTION_OTHERS,
    )
    return render(request, "search/_suggestions.html", _context(results))


def _context(results, **extra) -> dict:
    return {
        "results": results,
        "search_text": results.text,
        "too_short": len(results.text) < MIN_QUERY_LENGTH,
        "min_length": MIN_QUERY_LENGTH,
        "all_url": reverse("search:results") + "?" + urlencode({"q": results.text}),
        # The lead list finds the same leads (leads.search), with filters and every page.
        "lead_list_url": reverse("leads:list") + "?" + urlencode({"search": results.text}),
        **extra,
    }
