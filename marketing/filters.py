"""Query-string filters of the marketing lists (campaigns/, touches/)."""

from django.db.models import QuerySet
from django_filters import rest_framework as filters

from funnel.datetime_filters import UtcIsoDateTimeFilter
from leads.filters import IdFilter
from marketing.models import Campaign, Touch


class CampaignFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(
        choices=Campaign.Status.choices,
        help_text="Repeat for several: `?status=active&status=paused`.",
    )
    channel = filters.MultipleChoiceFilter(choices=Campaign.Channel.choices)
    search = filters.CharFilter(
        method="filter_search", max_length=100, help_text="Name or UTM name starts with this."
    )

    class Meta:
        model = Campaign
        fields = ["status", "channel", "search"]

    def filter_search(self, queryset: QuerySet[Campaign], name: str, value: str):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(name__istartswith=value) | queryset.filter(
            utm_campaign__istartswith=value
        )


class TouchFilter(filters.FilterSet):
    lead = IdFilter(field_name="lead_id", help_text="Id of the lead.")
    campaign = IdFilter(field_name="campaign_id", help_text="Id of the campaign.")
    kind = filters.MultipleChoiceFilter(choices=Touch.Kind.choices)
    at_after = UtcIsoDateTimeFilter(
        field_name="at", lookup_expr="gte", help_text="At or after this ISO 8601 date-time."
    )
    at_before = UtcIsoDateTimeFilter(
        field_name="at", lookup_expr="lt", help_text="Strictly before this ISO 8601 date-time."
    )

    class Meta:
        model = Touch
        fields = ["lead", "campaign", "kind", "at_after", "at_before"]
