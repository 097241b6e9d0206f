"""JSON shapes of the sales API. They validate input; writes go through `sales.services`."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from currencies.codes import currency_code_clean
from funnel.roles import is_manager
from leads.selectors import leads_editable_by
from sales.models import (
    MAX_AMOUNT,
    MAX_DAY_OFFSET,
    Activity,
    Deal,
    Enrolment,
    Quota,
    Sequence,
    SequenceStep,
    Team,
)
from sales.periods import FIRST_DAY, LAST_DAY, validate_period_day
from sales.selectors.visibility import deals_visible_to
from sales.services import active_sales_reps, users_who_may_own
from sales.services.sequences import MAX_ENROL_AT_ONCE, MAX_STEPS

MAX_ID = 2**63 - 1


@extend_schema_field(OpenApiTypes.INT)
class StrictPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id that must be a whole number in range: DRF's own reads 1.5 as 1."""

    def to_internal_value(self, data: Any):
        if isinstance(data, (bool, float)):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if isinstance(data, str) and not data.isdigit():
            self.fail("incorrect_type", data_type=type(data).__name__)
        if isinstance(data, (int, str)) and not 0 < int(data) <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(required=False)


def amount_field(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=MAX_AMOUNT,
        coerce_to_string=True,
        **kwargs,
    )


class CurrencyMixin(serializers.Serializer):
    currency = serializers.SerializerMethodField(
        help_text="ISO 4217 code of every amount: the company currency (FUNNEL_CURRENCY)."
    )

    def get_currency(self, obj) -> str:
        return settings.FUNNEL_CURRENCY


def currency_field(**kwargs) -> serializers.CharField:
    return serializers.CharField(
        max_length=3,
        help_text=(
            "ISO 4217 code of `amount` (default: the company currency, FUNNEL_CURRENCY). "
            "Another currency needs an exchange rate on or before the deal's day, else 400."
        ),
        **kwargs,
    )


def _currency_clean(value: str) -> str:
    try:
        return currency_code_clean(value)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages) from None


def _request_user(serializer: serializers.Serializer):
    return serializer.context["request"].user


class EditableLeadField(StrictPrimaryKeyRelatedField):
    """A lead the requesting user may change; any other id reads as "does not exist"."""

    def get_queryset(self):
        return leads_editable_by(_request_user(self))


class VisibleDealField(StrictPrimaryKeyRelatedField):
    """A deal the requesting user may see; any other id reads as "does not exist", so a
    rep cannot learn that another rep's deal exists (docs/api.md)."""

    def get_queryset(self):
        return deals_visible_to(_request_user(self))


class OwnerField(StrictPrimaryKeyRelatedField):
    """Who may own work: the team (active reps and managers), not per-caller records, as
    the quota board and owner pickers show every member to every rep."""

    def get_queryset(self):
        return users_who_may_own()


# --- Deals ----------------------------------------------------------------------------


class DealSerializer(serializers.ModelSerializer):
    lead_name = serializers.CharField(source="lead.__str__", read_only=True)
    stage_name = serializers.CharField(source="stage.name", read_only=True)
    owner_username = serializers.CharField(
        source="owner.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Deal
        fields = [
            "id",
            "lead",
            "lead_name",
            "title",
            "amount",
            "currency",
            "status",
            "stage",
            "stage_name",
            "stage_changed_at",
            "expected_close_on",
            "closed_on",
            "closed_at",
            "owner",
            "owner_username",
            "loss_reason",
            "lost_reason",
            "promotion",
            "promo_code",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class DealCreateSerializer(serializers.Serializer):
    lead = EditableLeadField(help_text="Id of a prospect or customer you may change.")
    title = serializers.CharField(max_length=200)
    amount = amount_field()
    currency = currency_field(required=False)
    expected_close_on = serializers.DateField(required=False, allow_null=True)
    owner = OwnerField(
        required=False, help_text="Managers only; default: the lead's owner, else you."
    )
    promo_code = serializers.CharField(max_length=40, required=False, allow_blank=True)

    def validate_currency(self, value: str) -> str:
        return _currency_clean(value)

    def validate_owner(self, owner):
        user = _request_user(self)
        if owner is not None and owner != user and not is_manager(user):
            raise serializers.ValidationError("Only managers give deals to someone else.")
        return owner


class DealUpdateSerializer(DealCreateSerializer):
    lead = None
    title = serializers.CharField(max_length=200, required=False)
    amount = amount_field(required=False)


class DealWinSerializer(serializers.Serializer):
    closed_on = serializers.DateField(
        required=False, help_text="Business date of the win (default: today); not in the future."
    )


class DealLoseSerializer(DealWinSerializer):
    lost_reason = serializers.CharField(
        max_length=100,
        required=False,
        help_text="A reason from `lost-reasons/` (id or name). Without it, `reason` alone is "
        "filed under the reason of that name, else Other.",
    )
    reason = serializers.CharField(
        max_length=500, required=False, allow_blank=True, help_text="Why, in words."
    )

    def validate(self, data):
        if not data.get("lost_reason") and not (data.get("reason") or "").strip():
            raise serializers.ValidationError({"lost_reason": "Pick why the deal was lost."})
        return data


class DealReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="Why the won deal is reopened.")


# --- Activities -----------------------------------------------------------------------


class ActivitySerializer(serializers.ModelSerializer):
    owner_username = serializers.CharField(
        source="owner.username", read_only=True, default=None, allow_null=True
    )
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Activity
        fields = [
            "id",
            "lead",
            "kind",
            "subject",
            "body",
            "due_at",
            "done_at",
            "is_overdue",
            "owner",
            "owner_username",
            "deal",
            "enrolment",
            "step",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_is_overdue(self, activity: Activity) -> bool:
        return activity.is_overdue()


class ActivityWriteSerializer(serializers.Serializer):
    lead = EditableLeadField()
    kind = serializers.ChoiceField(choices=Activity.Kind.choices)
    subject = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    due_at = serializers.DateTimeField(required=False, allow_null=True)
    done_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="When it happened. Calls, emails, meetings without `due_at` and notes "
        "default to now; tasks stay open.",
    )
    owner = OwnerField(required=False, help_text="Default: you.")
    deal = VisibleDealField(required=False, allow_null=True)

    def validate_currency(self, value: str) -> str:
        return _currency_clean(value)

    def validate_owner(self, owner):
        user = _request_user(self)
        if owner != user and not is_manager(user):
            raise serializers.ValidationError("Only managers give activities to someone else.")
        return owner


class ActivityUpdateSerializer(ActivityWriteSerializer):
    lead = None
    kind = serializers.ChoiceField(choices=Activity.Kind.choices, required=False)
    subject = serializers.CharField(max_length=200, required=False)


# --- Sequences and enrolments ---------------------------------------------------------


class SequenceStepSerializer(serializers.ModelSerializer):
    day_offset = serializers.IntegerField(min_value=0, max_value=MAX_DAY_OFFSET)
    kind = serializers.ChoiceField(choices=Activity.Kind.choices)
    subject = serializers.CharField(max_length=200)

    class Meta:
        model = SequenceStep
        fields = ["position", "day_offset", "kind", "subject"]
        read_only_fields = ["position"]


class SequenceSerializer(serializers.ModelSerializer):
    steps = SequenceStepSerializer(many=True, max_length=MAX_STEPS, min_length=1)

    class Meta:
        model = Sequence
        fields = ["id", "name", "description", "is_active", "owner", "steps", "created_at"]
        read_only_fields = ["id", "owner", "created_at"]
        extra_kwargs = {"description": {"max_length": 5000}}


class SequenceUpdateSerializer(SequenceSerializer):
    steps = SequenceStepSerializer(many=True, max_length=MAX_STEPS, min_length=1, required=False)


class EnrolSerializer(serializers.Serializer):
    leads = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        min_length=1,
        max_length=MAX_ENROL_AT_ONCE,
        help_text="Ids of prospects you may change.",
    )

    def validate_leads(self, ids: list[int]) -> list[int]:
        unique = list(dict.fromkeys(ids))
        found = set(
            leads_editable_by(_request_user(self))
            .filter(pk__in=unique)
            .values_list("pk", flat=True)
        )
        missing = [pk for pk in unique if pk not in found]
        if missing:
            raise serializers.ValidationError(f"No such leads among yours: {missing[:20]}.")
        return unique


class EnrolmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Enrolment
        fields = [
            "id",
            "sequence",
            "lead",
            "status",
            "started_at",
            "ended_at",
            "stop_reason",
            "enrolled_by",
            "created_at",
        ]
        read_only_fields = fields


class EnrolResultSerializer(serializers.Serializer):
    enrolled = EnrolmentSerializer(many=True)
    already_enrolled = serializers.ListField(child=serializers.IntegerField())


class StopSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


# --- Quotas ---------------------------------------------------------------------------


class QuotaSerializer(CurrencyMixin, serializers.ModelSerializer):
    owner = StrictPrimaryKeyRelatedField(
        queryset=get_user_model().objects.none(),
        allow_null=True,
        help_text="Id of an active sales rep; null for a team's or the whole team's quota.",
    )
    team = StrictPrimaryKeyRelatedField(
        queryset=Team.objects.all(),
        allow_null=True,
        required=False,
        help_text="Id of a team (with `owner` null); neither: the whole sales team's quota.",
    )
    ends_on = serializers.DateField(
        required=False, help_text="Optional: the period's last day, derived when left out."
    )
    target = amount_field()
    is_team = serializers.BooleanField(read_only=True)

    class Meta:
        model = Quota
        fields = [
            "id",
            "owner",
            "team",
            "is_team",
            "period",
            "starts_on",
            "ends_on",
            "target",
            "currency",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "is_team", "currency", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = active_sales_reps()
        # Uniqueness and the period's shape are the service's to check (409 / 400).
        self.validators = []


class QuotaUpdateSerializer(serializers.Serializer):
    target = amount_field()


class AttainmentSerializer(serializers.Serializer):
    target = amount_field(allow_null=True)
    won = amount_field()
    attainment = serializers.FloatField(allow_null=True, help_text="won ÷ target (0.5 = 50%).")
    gap = amount_field(allow_null=True, help_text="Still missing to reach the target.")
    elapsed = serializers.FloatField(help_text="Share of the period gone by (0 to 1).")
    expected_to_date = amount_field(allow_null=True)
    pace = serializers.FloatField(
        allow_null=True, help_text="won ÷ expected_to_date: 1.0 is on pace, above is ahead."
    )
    on_pace = serializers.BooleanField(allow_null=True)


class PeriodSerializer(serializers.Serializer):
    kind = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    label = serializers.CharField()


class RepAttainmentSerializer(AttainmentSerializer):
    rep = serializers.IntegerField()
    username = serializers.CharField()
    quota = serializers.IntegerField(allow_null=True)


class TeamAttainmentSerializer(AttainmentSerializer):
    quota = serializers.IntegerField(allow_null=True)
    target_source = serializers.ChoiceField(
        choices=["team_quota", "sum_of_rep_quotas", "none"],
        help_text="Where the team target comes from.",
    )


class QuotaMetricsSerializer(serializers.Serializer):
    period = PeriodSerializer()
    currency = serializers.CharField()
    reps = RepAttainmentSerializer(many=True)
    team = TeamAttainmentSerializer()


class QuotaMetricsQuerySerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=Quota.Period.choices, default=Quota.Period.MONTH)
    on = serializers.DateField(
        required=False,
        validators=[validate_period_day],
        help_text=f"A day in the period (default today), {FIRST_DAY} to {LAST_DAY}.",
    )


# --- Owners and timeline --------------------------------------------------------------


class ReassignSerializer(serializers.Serializer):
    owner = StrictPrimaryKeyRelatedField(
        queryset=get_user_model().objects.none(),
        allow_null=True,
        help_text="Id of an active sales rep; null returns the lead to the unassigned pool.",
    )
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = active_sales_reps()


class TimelineEntrySerializer(serializers.Serializer):
    kind = serializers.CharField(
        help_text=(
            "stage_change, touch, activity, deal_opened, deal_won, deal_lost, owner_change "
            "or field_change."
        )
    )
    at = serializers.DateTimeField()
    id = serializers.IntegerField(help_text="Id of the record in its own resource.")
    summary = serializers.CharField()
    actor = serializers.CharField(allow_null=True)
    data = serializers.DictField(help_text="The record's fields, by kind.")


class TimelinePageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    results = TimelineEntrySerializer(many=True)
