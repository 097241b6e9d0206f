"""Query-string filters of the sales lists. Every value is validated by its form field (a
bad one is a 400), and every filter is an equality or range on an indexed column."""

from django.db.models import Q, QuerySet
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

from funnel.datetime_filters import UtcIsoDateTimeFilter
from leads.filters import IdFilter
from sales.models import Activity, Deal, Enrolment, Quota, Sequence
from sales.periods import DAY_RANGE_PATTERN, validate_period_day
from sales.selectors import repeat_customer_condition


class DealFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(
        choices=Deal.Status.choices, help_text="open, won or lost; repeat for several."
    )
    lead = IdFilter(field_name="lead_id", help_text="Id of the lead.")
    owner = IdFilter(field_name="owner_id", help_text="Id of the owning user.")
    repeat = filters.BooleanFilter(
        method="filter_repeat",
        help_text="`true`: deals of repeat customers (two or more won deals); `false`: others.",
    )
    expected_close_after = filters.DateFilter(field_name="expected_close_on", lookup_expr="gte")
    expected_close_before = filters.DateFilter(field_name="expected_close_on", lookup_expr="lte")
    closed_after = filters.DateFilter(field_name="closed_on", lookup_expr="gte")
    closed_before = filters.DateFilter(field_name="closed_on", lookup_expr="lte")

    class Meta:
        model = Deal
        fields = ["status", "lead", "owner", "repeat"]

    # `value: bool` documents the parameter as a boolean (django-filter never calls a
    # filter method without a value).
    def filter_repeat(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(repeat_customer_condition(repeat=value, lead_ref="lead_id"))


class ActivityFilter(filters.FilterSet):
    kind = filters.MultipleChoiceFilter(choices=Activity.Kind.choices)
    lead = IdFilter(field_name="lead_id", help_text="Id of the lead.")
    owner = IdFilter(field_name="owner_id", help_text="Id of the owning user.")
    deal = IdFilter(field_name="deal_id", help_text="Id of the deal.")
    done = filters.BooleanFilter(
        field_name="done_at", lookup_expr="isnull", exclude=True, help_text="`false`: still open."
    )
    due_after = UtcIsoDateTimeFilter(field_name="due_at", lookup_expr="gte")
    due_before = UtcIsoDateTimeFilter(field_name="due_at", lookup_expr="lt")
    overdue = filters.BooleanFilter(method="filter_overdue", help_text="Open and past due.")

    class Meta:
        model = Activity
        fields = ["kind", "lead", "owner", "deal", "done"]

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        overdue = Q(done_at__isnull=True, due_at__lt=timezone.now())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class EnrolmentFilter(filters.FilterSet):
    sequence = IdFilter(field_name="sequence_id", help_text="Id of the sequence.")
    lead = IdFilter(field_name="lead_id", help_text="Id of the lead.")
    status = filters.MultipleChoiceFilter(choices=Enrolment.Status.choices)

    class Meta:
        model = Enrolment
        fields = ["sequence", "lead", "status"]


class SequenceFilter(filters.FilterSet):
    is_active = filters.BooleanFilter()

    class Meta:
        model = Sequence
        fields = ["is_active"]


class QuotaFilter(filters.FilterSet):
    owner = IdFilter(field_name="owner_id", help_text="Id of the rep.")
    team = filters.BooleanFilter(
        method="filter_team", help_text="`true`: only the whole team's quotas."
    )
    sales_team = IdFilter(field_name="team_id", help_text="Id of a team: its quotas.")
    period = filters.ChoiceFilter(choices=Quota.Period.choices)
    on = filters.DateFilter(
        method="filter_on",
        validators=[validate_period_day],
        help_text="Quotas whose period contains this day.",
    )

    class Meta:
        model = Quota
        fields = ["owner", "team", "sales_team", "period", "on"]

    def filter_team(self, queryset, name, value):
        whole_team = Q(owner__isnull=True, team__isnull=True)
        return queryset.filter(whole_team) if value else queryset.exclude(whole_team)

    # The schema states the range the validator enforces, so a client (and the fuzzer)
    # can tell a refused day from a valid one.
    @extend_schema_field(
        {
            "type": "string",
            "format": "date",
            "pattern": DAY_RANGE_PATTERN,
            "description": "Quotas whose period contains this day (1970-01-01 to 9998-12-31).",
        }
    )
    def filter_on(self, queryset: QuerySet, name: str, value) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(starts_on__lte=value, ends_on__gte=value)
