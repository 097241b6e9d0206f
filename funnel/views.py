"""The home page: where the user's part of the funnel stands and what moved lately."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from funnel.roles import is_manager, is_marketer
from funnel.selectors import pipeline_counts, stage_changes_recent
from funnel.stages import Stage
from leads.selectors import leads_visible_to

# Where a stage tile links: the stage's own list when it has one, else the filtered list.
STAGE_LISTS = {Stage.PROSPECT: "leads:prospects", Stage.CUSTOMER: "leads:customers"}
# The path people take, left to right; the side exits follow.
MAIN_PATH = (Stage.LEAD, Stage.PROSPECT, Stage.CUSTOMER)
TILE_LABELS = {
    Stage.LEAD: "Leads",
    Stage.PROSPECT: "Prospects",
    Stage.CUSTOMER: "Customers",
    Stage.DISQUALIFIED: "Disqualified",
    Stage.LOST: "Lost",
}


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    visible = leads_visible_to(request.user)
    counts = pipeline_counts(leads=visible)
    total = sum(counts.values())
    tiles = [
        {
            "stage": stage,
            "label": TILE_LABELS[stage],
            "count": counts[stage],
            "share": round(100 * counts[stage] / total) if total else 0,
            "url": _stage_url(stage),
            "exit": stage not in MAIN_PATH,
        }
        for stage in (*MAIN_PATH, Stage.DISQUALIFIED, Stage.LOST)
    ]
    sees_all = is_manager(request.user) or is_marketer(request.user)
    return render(
        request,
        "funnel/home.html",
        {
            "tiles": tiles,
            "total": total,
            "recent": stage_changes_recent(leads=visible, limit=12),
            "scope": "All leads" if sees_all else "Your leads and unassigned leads",
        },
    )


def _stage_url(stage: Stage) -> str:
    if stage in STAGE_LISTS:
        return reverse(STAGE_LISTS[stage])
    return f"{reverse('leads:list')}?stage={stage.value}"
