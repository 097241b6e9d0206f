"""Date-time query filters that reach the database in UTC, or are a 400.

django-filter hands the database an aware date-time with the offset the client sent.
PostgreSQL refuses offsets beyond ±15:59 (`2020-01-01T00:00-21:21` was a 500), and SQLite's
adapter converts to UTC itself, which overflows near year 1 or 9999 (another 500). These
fields convert to UTC while validating, so every such value is either a valid UTC instant
or a 400 naming the parameter.
"""

from datetime import UTC

from django import forms
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField


class _InUtc:
    default_error_messages = {
        "out_of_range": "Enter a date-time between the years 1 and 9999 in UTC.",
    }

    def to_python(self, value):
        result = super().to_python(value)
        if result is None:
            return None
        try:
            return result.astimezone(UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError(
                self.error_messages["out_of_range"], code="out_of_range"
            ) from None


class UtcDateTimeField(_InUtc, forms.DateTimeField):
    pass


class UtcIsoDateTimeField(_InUtc, IsoDateTimeField):
    pass


class UtcDateTimeFilter(filters.DateTimeFilter):
    field_class = UtcDateTimeField


class UtcIsoDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField
