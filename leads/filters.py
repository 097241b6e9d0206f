"""Query-string filters of the lead lists (`leads/`, `prospects/`, `customers/`).

Every filter is an equality, a range or a match on an indexed column, so a filtered page
stays an index scan: no joins, no DISTINCT. The search is `leads.search` (substrings on
PostgreSQL's trigram indexes of leads migration 0007, prefixes on those of 0002).
"""

from django import forms
from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

from funnel.datetime_filters import UtcDateTimeFilter
from funnel.stages import STAGE_CHOICES
from leads.models import Lead
from leads.search import lead_search_condition

# Primary keys are 64-bit; anything larger is a typo, answered with 400, not a query.
MAX_ID = 2**63 - 1


class IdFilter(filters.NumberFilter):
    """An integer id (NumberFilter would accept decimals such as 1.5 or 1e400)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
        # Per instance, so the schema keeps each filter's help text with the integer type.
        schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
        extend_schema_field({**schema, "description": self.extra.get("help_text", "")})(self)


class LeadFilter(filters.FilterSet):
    stage = filters.MultipleChoiceFilter(
        choices=STAGE_CHOICES,
        method="filter_stage",
        help_text="Stage; repeat the parameter for several (`?stage=lead&stage=prospect`).",
    )
    owner = IdFilter(field_name="owner_id", help_text="Id of the owning user.")
    unassigned = filters.BooleanFilter(
        field_name="owner", lookup_expr="isnull", help_text="`true`: only leads with no owner."
    )
    source_campaign = IdFilter(
        field_name="source_campaign_id", help_text="Id of the campaign of first touch."
    )
    created_after = UtcDateTimeFilter(
        field_name="created_at",
        lookup_expr="gte",
        help_text=(
            "Created at or after this ISO 8601 date or date-time (a date means its midnight, "
            "a time without offset the site's time zone)."
        ),
    )
    created_before = UtcDateTimeFilter(
        field_name="created_at",
        lookup_expr="lt",
        help_text="Created strictly before this ISO 8601 date or date-time.",
    )
    repeat = filters.BooleanFilter(
        method="filter_repeat",
        help_text="`true`: repeat customers (two or more won deals); `false`: the others.",
    )
    search = filters.CharFilter(
        method="filter_search",
        max_length=200,
        help_text=(
            "Case-insensitive search: each word is found in the first or last name, "
            "company, email (domain included) or phone (digits, whatever the separators). "
            "Words of 3+ characters match anywhere (`wonka.example`, `555-0142`), shorter "
            "ones as a prefix (`jo smi` finds John Smith)."
        ),
    )

    class Meta:
        model = Lead
        fields = [
            "stage",
            "owner",
            "unassigned",
            "source_campaign",
            "created_after",
            "created_before",
            "repeat",
            "search",
        ]

    # `value: bool` documents the parameter as a boolean (django-filter never calls a
    # filter method without a value).
    def filter_repeat(self, queryset: QuerySet[Lead], name: str, value: bool):
        # The rule lives with deals (sales.selectors); an EXISTS per row, index-backed.
        from sales.selectors import leads_filter_repeat

        return leads_filter_repeat(queryset, repeat=value)

    def filter_stage(self, queryset: QuerySet[Lead], name: str, value: list[str]):
        return queryset.filter(stage__in=value) if value else queryset

    def filter_search(self, queryset: QuerySet[Lead], name: str, value: str):
        condition = lead_search_condition(value)
        return queryset if condition is None else queryset.filter(condition)
