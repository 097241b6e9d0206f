"""JSON shapes of the marketing API. Validation of input only; writes go through services."""

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from rest_framework import serializers

from currencies.codes import currency_code_clean
from funnel.metrics.window import MAX_DATE, MAX_WINDOW_DAYS, MIN_DATE, default_window
from leads.models import Lead
from leads.serializers import StrictPrimaryKeyRelatedField
from marketing import services
from marketing.models import Campaign, Spend, Touch

MAX_BATCH = 1000


class CampaignSerializer(serializers.ModelSerializer):
    owner = StrictPrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True), allow_null=True, required=False
    )
    # Null in the answer to a create or update (see to_representation): documented so.
    spend_total = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text="All spend so far.",
    )
    leads_count = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="Leads whose source campaign (first touch) this is.",
    )

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "channel",
            "status",
            "starts_on",
            "ends_on",
            "budget",
            "spend_total",
            "leads_count",
            "description",
            "target_audience",
            "owner",
            "utm_campaign",
            "capture_key",
            "thank_you_url",
            "promo_code",
            "discount_percent",
            "discount_amount",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["capture_key", "created_at", "updated_at"]
        extra_kwargs = {"name": {"allow_blank": False}}

    def create(self, validated_data: dict[str, Any]) -> Campaign:
        return services.campaign_save(data=validated_data, actor=self.context["request"].user)

    def update(self, instance: Campaign, validated_data: dict[str, Any]) -> Campaign:
        return services.campaign_save(campaign=instance, data=validated_data)

    def to_representation(self, instance: Campaign) -> dict[str, Any]:
        data = super().to_representation(instance)
        # Freshly saved instances carry no annotations.
        data.setdefault("spend_total", None)
        data.setdefault("leads_count", None)
        return data


class SpendSerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, max_value=services.MAX_SPEND
    )
    day = serializers.DateField(
        help_text=f"From 1970 to {services.SPEND_DAYS_AHEAD} days after today (site time zone)."
    )
    currency = serializers.CharField(
        required=False,
        max_length=3,
        help_text=(
            "ISO 4217 code of `amount` (default: the company currency, FUNNEL_CURRENCY). "
            "Another currency needs an exchange rate on or before `day`, else 400."
        ),
    )

    class Meta:
        model = Spend
        fields = ["id", "campaign", "day", "amount", "currency", "note", "created_by", "created_at"]
        read_only_fields = ["id", "campaign", "created_by", "created_at"]

    def validate_day(self, value):
        try:
            return services.spend_day_clean(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None

    def validate_currency(self, value: str) -> str:
        try:
            return currency_code_clean(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None


class TouchSerializer(serializers.ModelSerializer):
    class Meta:
        model = Touch
        fields = [
            "id",
            "lead",
            "campaign",
            "kind",
            "at",
            "utm_source",
            "utm_medium",
            "utm_campaign",
            "utm_content",
            "utm_term",
        ]


class TouchInSerializer(serializers.Serializer):
    """One touch to record. The lead by `lead` id or by `email`; the campaign by
    `campaign` id, or else by `utm_campaign` when a campaign has that UTM name."""

    lead = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    email = serializers.CharField(max_length=254, required=False)
    campaign = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, required=False, allow_null=True
    )
    kind = serializers.ChoiceField(choices=Touch.Kind.choices)
    at = serializers.DateTimeField(required=False, help_text="Defaults to now.")
    utm_source = serializers.CharField(max_length=200, required=False, allow_blank=True)
    utm_medium = serializers.CharField(max_length=200, required=False, allow_blank=True)
    utm_campaign = serializers.CharField(max_length=200, required=False, allow_blank=True)
    utm_content = serializers.CharField(max_length=200, required=False, allow_blank=True)
    utm_term = serializers.CharField(max_length=200, required=False, allow_blank=True)

    def validate_at(self, value):
        # A touch from the future would count in full until then: a clock or a typo.
        if value > timezone.now() + timedelta(days=1):
            raise serializers.ValidationError("A touch cannot be more than a day in the future.")
        if value.year < 1970:
            raise serializers.ValidationError("A touch cannot be before 1970.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("lead" in attrs) == ("email" in attrs):
            raise serializers.ValidationError({"lead": "Give either `lead` (id) or `email`."})
        return attrs


class CaptureSerializer(serializers.Serializer):
    """What a public web form posts. `key` is the campaign's capture key; `website` is a
    honeypot that people never see and bots fill in."""

    key = serializers.CharField(max_length=64)
    email = serializers.CharField(max_length=254)
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    company = serializers.CharField(max_length=200, required=False, allow_blank=True)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=50, required=False, allow_blank=True)
    country = serializers.CharField(max_length=100, required=False, allow_blank=True)
    industry = serializers.CharField(max_length=100, required=False, allow_blank=True)
    company_size = serializers.ChoiceField(
        choices=Lead.CompanySize.choices,
        required=False,
        allow_blank=True,
    )
    consent = serializers.BooleanField(
        required=False, default=False, help_text="Marketing consent; its time is recorded."
    )
    utm_source = serializers.CharField(max_length=200, required=False, allow_blank=True)
    utm_medium = serializers.CharField(max_length=200, required=False, allow_blank=True)
    utm_campaign = serializers.CharField(max_length=200, required=False, allow_blank=True)
    utm_content = serializers.CharField(max_length=200, required=False, allow_blank=True)
    utm_term = serializers.CharField(max_length=200, required=False, allow_blank=True)
    website = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, help_text="Leave empty (honeypot)."
    )


class CaptureResultSerializer(serializers.Serializer):
    # The same answer for a new or a known address: the endpoint is public and must not
    # tell strangers who is in the database.
    status = serializers.CharField(default="ok")


class WindowSerializer(serializers.Serializer):
    since = serializers.DateField(
        required=False,
        help_text="First day (default: the 1st of the month 11 months before `until`).",
    )
    until = serializers.DateField(required=False, help_text="Last day, inclusive (default today).")
    campaign = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    channel = serializers.ChoiceField(choices=Campaign.Channel.choices, required=False)
    status = serializers.ChoiceField(choices=Campaign.Status.choices, required=False)

    def validate_since(self, value):
        return _day_in_range(value)

    def validate_until(self, value):
        return _day_in_range(value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # As metrics/funnel/: the default window ends today, and starts where the
        # default window ending on `until` would (never before MIN_DATE).
        until = attrs.get("until") or default_window().until
        since = attrs.get("since") or default_window(today=until).since
        if since > until:
            raise serializers.ValidationError({"until": "The window ends before it starts."})
        if (until - since).days + 1 > MAX_WINDOW_DAYS:
            raise serializers.ValidationError(
                {"since": f"A window is at most {MAX_WINDOW_DAYS:,} days."}
            )
        attrs["since"], attrs["until"] = since, until
        return attrs


def _day_in_range(value):
    # Checked before a default is derived from it: month arithmetic needs a real year.
    if not MIN_DATE <= value <= MAX_DATE:
        raise serializers.ValidationError("Enter a day between 1970 and 9998.")
    return value


class MoneyByModelSerializer(serializers.Serializer):
    first_touch = serializers.DecimalField(max_digits=20, decimal_places=2)
    last_touch = serializers.DecimalField(max_digits=20, decimal_places=2)
    linear = serializers.DecimalField(max_digits=20, decimal_places=2)


class RatioByModelSerializer(serializers.Serializer):
    first_touch = serializers.FloatField(allow_null=True)
    last_touch = serializers.FloatField(allow_null=True)
    linear = serializers.FloatField(allow_null=True)


class PromotionSerializer(serializers.Serializer):
    code = serializers.CharField()
    deals = serializers.IntegerField(help_text="Deals won in the window with this code.")
    revenue = serializers.DecimalField(max_digits=20, decimal_places=2)
    discount = serializers.DecimalField(
        max_digits=20,
        decimal_places=2,
        allow_null=True,
        help_text="Discount given (deal amounts are what customers paid).",
    )


class CampaignRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = ["id", "name", "channel", "status", "budget"]


class CampaignResultSerializer(serializers.Serializer):
    campaign = CampaignRefSerializer(allow_null=True, help_text="null: no campaign at all.")
    leads = serializers.IntegerField()
    prospects = serializers.IntegerField()
    customers = serializers.IntegerField()
    spend = serializers.DecimalField(max_digits=20, decimal_places=2)
    cost_per_lead = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    cost_per_prospect = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    cost_per_customer = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    revenue = MoneyByModelSerializer()
    roi = RatioByModelSerializer()
    promotion = PromotionSerializer(allow_null=True)


class CampaignMetricsSerializer(serializers.Serializer):
    since = serializers.DateField()
    until = serializers.DateField()
    currency = serializers.CharField()
    campaigns = CampaignResultSerializer(many=True)
    totals = CampaignResultSerializer()
