"""API shapes of the pipeline: stages, loss reasons, a move, history, forecast, metrics."""

from django.conf import settings
from rest_framework import serializers

from funnel.metrics.window import MAX_DATE, MIN_DATE
from sales.models import Quota
from sales.periods import validate_period_day
from sales.pipeline.models import DealStage, DealStageChange, LostReason
from sales.serializers import PeriodSerializer, amount_field


class DealStageSerializer(serializers.ModelSerializer):
    is_closed = serializers.BooleanField(read_only=True)

    class Meta:
        model = DealStage
        fields = [
            "id",
            "pipeline",
            "name",
            "position",
            "probability",
            "is_won",
            "is_lost",
            "is_closed",
            "forecast_category",
        ]
        # Output only: stages are edited in the admin.
        read_only_fields = fields


class LostReasonSerializer(serializers.ModelSerializer):
    class Meta:
        model = LostReason
        fields = ["id", "name", "position"]


class DealMoveSerializer(serializers.Serializer):
    to_stage = serializers.CharField(
        max_length=100, help_text="The target stage: its id or its name (any letter case)."
    )
    lost_reason = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="Into a lost stage (required there): a reason's id or name (`lost-reasons/`).",
    )
    reason = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        help_text="Words kept with the move; required to reopen.",
    )
    amount = amount_field(required=False, help_text="The confirmed amount, kept with the move.")
    closed_on = serializers.DateField(
        required=False, help_text="Into won or lost: the business date (default today)."
    )
    reopen = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Managers: move a won or lost deal back into an open stage (with a reason).",
    )


class DealStageChangeSerializer(serializers.ModelSerializer):
    from_stage_name = serializers.CharField(
        source="from_stage.name", read_only=True, default=None, allow_null=True
    )
    to_stage_name = serializers.CharField(source="to_stage.name", read_only=True)
    lost_reason_name = serializers.CharField(
        source="lost_reason.name", read_only=True, default=None, allow_null=True
    )
    amount = amount_field(read_only=True)

    class Meta:
        model = DealStageChange
        fields = [
            "id",
            "deal",
            "from_stage",
            "from_stage_name",
            "to_stage",
            "to_stage_name",
            "at",
            "from_stage_entered_at",
            "actor",
            "kind",
            "cause",
            "reason",
            "amount",
            "currency",
            "expected_close_on",
            "previous_expected_close_on",
            "lost_reason",
            "lost_reason_name",
        ]
        # Output only: history is written by the one mover (sales.pipeline.services).
        read_only_fields = fields


class ForecastQuerySerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=Quota.Period.choices, default=Quota.Period.QUARTER)
    on = serializers.DateField(
        required=False, validators=[validate_period_day], help_text="A day in the period."
    )
    owner = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text="Managers: one rep's row and history.",
    )
    team = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text="Managers: one team's reps, its row and its history.",
    )


class ForecastFiguresSerializer(serializers.Serializer):
    owner = serializers.IntegerField(allow_null=True)
    team = serializers.IntegerField(allow_null=True, help_text="A team's row: its id.")
    label = serializers.CharField()
    closed_won = amount_field()
    commit = amount_field()
    best_case = amount_field()
    weighted = amount_field()
    pipeline = amount_field()
    target = amount_field(allow_null=True)
    attainment = serializers.FloatField(allow_null=True)


class SnapshotSerializer(serializers.Serializer):
    taken_on = serializers.DateField()
    closed_won = amount_field()
    commit = amount_field()
    best_case = amount_field()
    weighted = amount_field()
    actual_closed_won = amount_field()
    commit_accuracy = serializers.FloatField(allow_null=True)
    expected_accuracy = serializers.FloatField(allow_null=True)


class ForecastSerializer(serializers.Serializer):
    period = PeriodSerializer()  # the quota API's: same shape
    currency = serializers.CharField(default=settings.FUNNEL_CURRENCY)
    reps = ForecastFiguresSerializer(many=True)
    teams = ForecastFiguresSerializer(many=True, help_text="Named teams (a rep: their own).")
    team = ForecastFiguresSerializer(help_text="The whole sales team: every deal.")
    history = SnapshotSerializer(
        many=True, help_text="Weekly snapshots of `owner`, of `team`, else of the whole team."
    )


class PipelineMetricsQuerySerializer(serializers.Serializer):
    since = serializers.DateField(required=False, help_text=f"From {MIN_DATE}; default: 90 days.")
    until = serializers.DateField(required=False, help_text=f"Up to {MAX_DATE}; default today.")
    owner = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    team = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text="Managers: one team's deals."
    )

    def validate(self, data):
        for name in ("since", "until"):
            if name in data and not MIN_DATE <= data[name] <= MAX_DATE:
                raise serializers.ValidationError(
                    {name: f"Pick a date from {MIN_DATE} to {MAX_DATE}."}
                )
        if "since" in data and "until" in data and data["since"] > data["until"]:
            raise serializers.ValidationError({"until": "The window ends before it starts."})
        return data


class StageRateSerializer(serializers.Serializer):
    stage = serializers.IntegerField()
    name = serializers.CharField()
    reached = serializers.IntegerField()
    won = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)


class StageVelocitySerializer(serializers.Serializer):
    stage = serializers.IntegerField()
    name = serializers.CharField()
    moves_out = serializers.IntegerField()
    median_days = serializers.FloatField(allow_null=True)
    p90_days = serializers.FloatField(allow_null=True)


class SlippageSerializer(serializers.Serializer):
    compared = serializers.IntegerField()
    pushed = serializers.IntegerField()
    deals_pushed = serializers.IntegerField()
    days_pushed = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    mean_days = serializers.FloatField(allow_null=True)


class PipelineMetricsSerializer(serializers.Serializer):
    since = serializers.DateField()
    until = serializers.DateField()
    win_rates = StageRateSerializer(many=True)
    velocity = StageVelocitySerializer(many=True)
    slippage = SlippageSerializer()
