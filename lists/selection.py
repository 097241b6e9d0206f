"""What a bulk action or a saved view acts on: a list's filter, re-read under the user's
scope every time it is used. Posted ids only ever narrow that scope, never widen it."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.http import QueryDict

from funnel.stages import Stage
from leads.forms import LeadListFilterForm
from leads.models import Lead
from leads.selectors import leads_visible_to

LIST_STAGES: dict[str, Stage | None] = {
    "list": None,
    "prospects": Stage.PROSPECT,
    "customers": Stage.CUSTOMER,
}
# Query-string keys that say where a page is, not what it shows.
NOT_FILTERS = ("cursor", "view", "page")


def filter_query(params: QueryDict) -> str:
    """The filter and sort of `params` as a query string (paging dropped)."""
    query = params.copy()
    for key in NOT_FILTERS:
        query.pop(key, None)
    return query.urlencode()


def selection_visible(
    *, user: AbstractBaseUser, list_kind: str, query: str, lead_ids: list[int] | None
) -> QuerySet[Lead]:
    """The leads of the selection `user` may see: the list's filter as it matches now
    (`lead_ids` None: "all matching"), or the ticked ids that still match it."""
    stage = LIST_STAGES[list_kind]
    leads = leads_visible_to(user)
    if stage is not None:
        leads = leads.filter(stage=stage)
    form = LeadListFilterForm(QueryDict(query), user=user, with_stage=stage is None)
    leads = form.filter(leads)
    if lead_ids is not None:
        leads = leads.filter(pk__in=lead_ids)
    return leads
