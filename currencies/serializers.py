"""JSON shapes of the rates API. They check shapes; `currencies.services` checks rules."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from currencies.codes import company_currency
from currencies.models import MAX_RATE, RATE_DIGITS, ExchangeRate
from currencies.services import rate_currency_clean


class RateSerializer(serializers.ModelSerializer):
    currency = serializers.CharField(
        max_length=3, help_text="ISO 4217 code; not the company currency (it converts at 1)."
    )
    rate = serializers.DecimalField(
        **RATE_DIGITS,
        min_value=0,
        max_value=MAX_RATE,
        help_text="What 1 `currency` is worth in `to_currency` from `day` until the next rate.",
    )
    day = serializers.DateField(help_text="From this day on (not in the future).")
    to_currency = serializers.SerializerMethodField(
        help_text="The company currency (FUNNEL_CURRENCY): every report figure is in it."
    )

    class Meta:
        model = ExchangeRate
        fields = ["id", "currency", "day", "rate", "to_currency", "created_by", "created_at"]
        read_only_fields = ["id", "to_currency", "created_by", "created_at"]
        # A currency and day already in the table are corrected, not refused.
        validators = []

    def get_to_currency(self, obj) -> str:
        return company_currency()

    def validate_currency(self, value: str) -> str:
        try:
            return rate_currency_clean(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None


class RateUpdateSerializer(serializers.Serializer):
    rate = serializers.DecimalField(**RATE_DIGITS, min_value=0, max_value=MAX_RATE)


class RateImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV with a header: currency, day (or date), rate. All lines or none."
    )


class RateImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()


class CurrencySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
