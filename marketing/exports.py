"""CSV export of any filtered lead list, streamed.

Takes the lead list's own query string (search, stage, owner, source campaign, created
dates, sort): the filter is the list's (`LeadListFilterForm`, which is `leads.filters.
LeadFilter` underneath) applied to `leads_visible_to(user)`, so an export holds exactly
what the person could page through. Rows are read with a server-side cursor in chunks and
written as they come: a million leads never sit in memory.
"""

import csv
from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from funnel.stages import Stage
from leads.forms import LeadListFilterForm
from leads.selectors import leads_visible_to

COLUMNS = [
    ("id", "id"),
    ("email", "email"),
    ("first_name", "first_name"),
    ("last_name", "last_name"),
    ("company", "company"),
    ("title", "title"),
    ("phone", "phone"),
    ("country", "country"),
    ("industry", "industry"),
    ("company_size", "company_size"),
    ("stage", "stage"),
    # The list shows the score rounded; the file keeps it exact, and says so.
    ("score_exact", "score"),
    ("owner", "owner__username"),
    ("source_campaign", "source_campaign__name"),
    ("marketing_consent", "marketing_consent"),
    ("marketing_consent_at", "marketing_consent_at"),
    ("created_at", "created_at"),
    ("became_prospect_at", "became_prospect_at"),
    ("became_customer_at", "became_customer_at"),
]
# Ticked rows an export accepts (more: export the whole filter).
MAX_TICKED = 1000
LIST_STAGES = {"prospects": Stage.PROSPECT, "customers": Stage.CUSTOMER}
# A cell starting with one of these is a formula to a spreadsheet: keep it text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@require_GET
def leads_export(request: HttpRequest) -> HttpResponse:
    stage = LIST_STAGES.get(request.GET.get("list", ""))
    form = LeadListFilterForm(request.GET, user=request.user, with_stage=stage is None)
    if not form.is_valid():
        errors = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in form.errors.items())
        return HttpResponse(f"Invalid filter ({errors}).", status=400, content_type="text/plain")
    leads = leads_visible_to(request.user)
    if stage is not None:
        leads = leads.filter(stage=stage)
    leads = form.filter(leads).order_by(*form.ordering)
    ticked = request.GET.getlist("id")
    if ticked:
        # Rows ticked on the list (lists.views): they narrow the filter, never widen it.
        if len(ticked) > MAX_TICKED or not all(pk.isdigit() for pk in ticked):
            return HttpResponse("Invalid id list.", status=400, content_type="text/plain")
        leads = leads.filter(pk__in=[int(pk) for pk in ticked])
    rows = leads.values_list(*(source for _, source in COLUMNS)).iterator(chunk_size=2000)
    filename = f"leads-{timezone.localtime():%Y%m%d-%H%M}.csv"
    response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _csv_lines(rows: Iterator[tuple]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # A byte-order mark, so Excel opens the UTF-8 file with the right encoding.
    yield "\ufeff" + writer.writerow([name for name, _ in COLUMNS])
    chunk: list[str] = []
    for row in rows:
        chunk.append(writer.writerow([_cell(value) for value in row]))
        if len(chunk) == 500:  # One write per 500 rows, not per row.
            yield "".join(chunk)
            chunk = []
    yield "".join(chunk)


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return spreadsheet_text(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def spreadsheet_text(text: str) -> str:
    """`text` for a CSV cell that a spreadsheet shows as text and never runs as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text
