"""Find anything: the header search over leads, campaigns and deals, scoped per user.

Leads match as everywhere else (`leads.search`: every word in a name, the company, the
email or the phone). The first results are ranked: the lead whose email is exactly the
text, then (for a one-word text) leads whose first or last name starts with it, then
every match, newest first. Ranking all matches would sort them all (tens of thousands
for `acme` at a million leads), so each rank is its own small LIMITed query an index
can serve, and the candidates are merged here: one UNION ALL statement on PostgreSQL,
one query per rank on SQLite (which cannot LIMIT inside a UNION).

Campaigns are for the roles that may use marketing; deals for those `deals_visible_to`
allows, matched on their title.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import IntegerField, Q, QuerySet, Value

from leads.models import Lead
from leads.search import MIN_SUBSTRING, lead_search_condition, search_words
from leads.selectors import leads_visible_to
from marketing.models import Campaign
from marketing.permissions import may_use_marketing
from sales.selectors import can_work_sales, deals_visible_to

# A shorter text would match a large share of every table and tell the person nothing.
MIN_QUERY_LENGTH = 2
MAX_QUERY_LENGTH = 200
LEAD_LIMIT = 20
OTHER_LIMIT = 5
LEAD_FIELDS = ("id", "first_name", "last_name", "email", "company", "phone", "stage", "created_at")


@dataclass(frozen=True)
class Found:
    """At most `limit` rows, and whether there were more."""

    rows: list = field(default_factory=list)
    more: bool = False


@dataclass(frozen=True)
class SearchResults:
    text: str
    leads: Found = Found()
    campaigns: Found = Found()
    deals: Found = Found()
    # The person may not see campaigns or deals at all: the page leaves the group out.
    shows_campaigns: bool = False
    shows_deals: bool = False

    @property
    def count(self) -> int:
        return len(self.leads.rows) + len(self.campaigns.rows) + len(self.deals.rows)


def search_text_clean(text: str) -> str:
    """The text as searched: words separated by single spaces, at most 200 characters,
    without NUL characters (PostgreSQL refuses them in any string: a 500, not a search)."""
    return " ".join(text.replace("\x00", " ").split())[:MAX_QUERY_LENGTH]


def search_everything(
    *,
    user: AbstractBaseUser,
    text: str,
    lead_limit: int = LEAD_LIMIT,
    other_limit: int = OTHER_LIMIT,
) -> SearchResults:
    """What `user` may see that matches `text`. Queries: one for leads on PostgreSQL (one
    per rank, up to three, on SQLite), one for campaigns and two for deals when the user
    may see them (and the role lookup, once per request)."""
    text = search_text_clean(text)
    shows_campaigns, shows_deals = may_use_marketing(user), can_work_sales(user)
    results = SearchResults(text=text, shows_campaigns=shows_campaigns, shows_deals=shows_deals)
    if len(text) < MIN_QUERY_LENGTH:
        return results
    return SearchResults(
        text=text,
        leads=leads_find(user=user, text=text, limit=lead_limit),
        campaigns=campaigns_find(text=text, limit=other_limit) if shows_campaigns else Found(),
        deals=deals_find(user=user, text=text, limit=other_limit) if shows_deals else Found(),
        shows_campaigns=shows_campaigns,
        shows_deals=shows_deals,
    )


def leads_find(*, user: AbstractBaseUser, text: str, limit: int = LEAD_LIMIT) -> Found:
    condition = lead_search_condition(text)
    if condition is None:
        return Found()
    visible = leads_visible_to(user).only(*LEAD_FIELDS)
    matches = visible.filter(condition)
    words = search_words(text)
    ranks: list[QuerySet[Lead]] = [
        # The unique index on email: at most one row.
        visible.filter(email=text.lower()),
        matches,
    ]
    if len(words) == 1:
        # Only for one word: two common words (`grace hansen`, 5% and 6% of a million
        # leads) made PostgreSQL AND bitmaps of 100,000 rows (150 ms), where the newest
        # matches, found by walking the created_at index, take 20 ms; and a second word
        # already narrows the matches to names.
        ranks.insert(1, matches.filter(first_name_or_last_name_starts(words[0])))
    ranked = [
        queryset.annotate(rank=Value(rank, output_field=IntegerField())).order_by(
            "-created_at", "-id"
        )[: limit + 1]
        for rank, queryset in enumerate(ranks)
    ]
    if connection.features.supports_slicing_ordering_in_compound:
        candidates = list(ranked[0].union(*ranked[1:], all=True))
    else:
        candidates = [lead for queryset in ranked for lead in queryset]
    # Each part is newest first; the union keeps no order, so sort by rank then recency.
    candidates.sort(key=lambda lead: (lead.rank, -lead.created_at.timestamp(), -lead.pk))
    unique: dict[int, Lead] = {}
    for lead in candidates:
        unique.setdefault(lead.pk, lead)
    rows = list(unique.values())
    return Found(rows=rows[:limit], more=len(rows) > limit)


def first_name_or_last_name_starts(word: str) -> Q:
    return Q(first_name__istartswith=word) | Q(last_name__istartswith=word)


def campaigns_find(*, text: str, limit: int = OTHER_LIMIT) -> Found:
    """Campaigns whose name or UTM name holds every word (a small table: no index needed)."""
    condition = Q()
    for word in search_words(text):
        condition &= Q(name__icontains=word) | Q(utm_campaign__icontains=word)
    rows = list(
        Campaign.objects.filter(condition)
        .only("id", "name", "status", "channel", "utm_campaign")
        .order_by("-created_at", "-id")[: limit + 1]
    )
    return Found(rows=rows[:limit], more=len(rows) > limit)


def deals_find(*, user: AbstractBaseUser, text: str, limit: int = OTHER_LIMIT) -> Found:
    """Deals whose title holds every word (trigram index: sales migration 0003), newest
    first by id: the primary key serves the order, where `created_at` has no index and a
    common word (a company in every title) would sort thousands of rows. Each carries
    `lead_visible`, from a second query on those few leads: a rep may own a deal on a lead
    they cannot open (an EXISTS per row made PostgreSQL hash every visible lead)."""
    condition = Q()
    for word in search_words(text):
        if len(word) < MIN_SUBSTRING:
            condition &= Q(title__istartswith=word)
        else:
            condition &= Q(title__icontains=word)
    rows = list(
        deals_visible_to(user)
        .filter(condition)
        .select_related("lead")
        .only(
            "id",
            "title",
            "amount",
            "currency",
            "status",
            "lead__id",
            "lead__first_name",
            "lead__last_name",
            "lead__email",
        )
        .order_by("-id")[: limit + 1]
    )
    lead_ids = {deal.lead_id for deal in rows[:limit]}
    visible = set(leads_visible_to(user).filter(pk__in=lead_ids).values_list("pk", flat=True))
    for deal in rows:
        deal.lead_visible = deal.lead_id in visible
    return Found(rows=rows[:limit], more=len(rows) > limit)
