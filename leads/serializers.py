"""JSON shapes of the leads API. Validation of input only; writes go through services."""

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import serializers

from funnel.models import StageChange
from funnel.stages import STAGE_CHOICES, Stage
from leads import services
from leads.models import Lead, LeadChange
from marketing.models import Campaign

STAGE_LIST = ", ".join(stage.value for stage in Stage)

# Fields a client may send back unchanged (a GET, edited, PUT back) but never change here:
# each has its own writer. A different value is refused rather than silently dropped, so
# an integration that believes it moved a stage learns that it did not.
PROTECTED_FIELDS = {
    "stage": "Read-only here: move a lead with POST /api/v1/leads/{id}/transition/.",
    "owner": "Read-only here: owners are assigned by sales, not through this endpoint.",
    "score": "Read-only: the score is computed from the lead's marketing touches.",
}


class StrictPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id that must be a whole number: DRF's own would read 1.5 as 1."""

    def to_internal_value(self, data: Any):
        if isinstance(data, float) or (isinstance(data, str) and not data.isdigit()):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class LeadSerializer(serializers.ModelSerializer):
    """A lead. `stage`, `owner`, `score`, milestones and timestamps are read-only: sending
    them with a different value is a 400; the other read-only fields are ignored."""

    # Declared so ModelSerializer adds no case-sensitive UniqueValidator: the service
    # normalises the address and the unique index decides.
    email = serializers.EmailField(max_length=254)
    owner_username = serializers.CharField(source="owner.username", read_only=True, allow_null=True)
    source_campaign = StrictPrimaryKeyRelatedField(
        queryset=Campaign.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Lead
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "company",
            "title",
            "phone",
            "country",
            "industry",
            "company_size",
            "stage",
            "stage_changed_at",
            "owner",
            "owner_username",
            "source_campaign",
            "score",
            "marketing_consent",
            "marketing_consent_at",
            "became_prospect_at",
            "became_customer_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "stage",
            "stage_changed_at",
            "owner",
            "score",
            "marketing_consent_at",
            "became_prospect_at",
            "became_customer_at",
            "created_at",
            "updated_at",
        ]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        current = self._protected_values()
        errors = {
            name: [message]
            for name, message in PROTECTED_FIELDS.items()
            if name in self.initial_data and not _same(self.initial_data[name], current[name])
        }
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def _protected_values(self) -> dict[str, Any]:
        if self.instance is not None:
            lead = self.instance
            return {"stage": lead.stage, "owner": lead.owner_id, "score": lead.score}
        owner = services.lead_initial_owner(created_by=self.context["request"].user)
        return {"stage": Stage.LEAD.value, "owner": owner.pk if owner else None, "score": 0.0}

    def create(self, validated_data: dict[str, Any]) -> Lead:
        return services.lead_create(**validated_data, created_by=self.context["request"].user)

    def update(self, instance: Lead, validated_data: dict[str, Any]) -> Lead:
        return services.lead_update(
            lead=instance,
            data=validated_data,
            origin=self.context.get("origin"),
            if_match=self.context.get("if_match"),
        )


def _same(sent: Any, current: Any) -> bool:
    """Whether a value sent for a protected field equals the stored one (JSON or form)."""
    if sent is None or current is None:
        return sent is None and current is None
    if isinstance(sent, bool):
        return False
    if isinstance(current, str):
        return sent == current
    try:
        return float(sent) == float(current)
    except (TypeError, ValueError, OverflowError):
        return False


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(
        choices=STAGE_CHOICES,
        help_text="The stage to move the lead to.",
        error_messages={
            "invalid_choice": f'Unknown stage "{{input}}"; expected one of: {STAGE_LIST}.'
        },
    )
    reason = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why the lead moves; kept in its history.",
    )


class ActorSerializer(serializers.ModelSerializer):
    class Meta:
        model = get_user_model()
        fields = ["id", "username"]


class StageChangeSerializer(serializers.ModelSerializer):
    actor = ActorSerializer(
        read_only=True, allow_null=True, help_text="Who moved it; null for tasks and rules."
    )

    class Meta:
        model = StageChange
        fields = ["id", "from_stage", "to_stage", "at", "actor", "cause", "reason"]


class LeadChangeSerializer(serializers.ModelSerializer):
    actor = ActorSerializer(
        read_only=True, allow_null=True, help_text="Who made the change; null for capture."
    )

    class Meta:
        model = LeadChange
        fields = [
            "id",
            "field",
            "old_value",
            "new_value",
            "at",
            "actor",
            "source",
            "request_id",
            "import_job_id",
        ]


class VersionConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current = LeadSerializer(help_text="The lead as it is now; its version is the ETag.")


# Error shapes, for the schema only (funnel.api_errors produces them).
class DetailErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


# The first name of the class; other apps import it. Same class, so one schema component.
ErrorSerializer = DetailErrorSerializer


class TransitionConflictSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text='For example "A lead cannot move to customer."')
    from_stage = serializers.ChoiceField(choices=STAGE_CHOICES)
    to_stage = serializers.ChoiceField(choices=STAGE_CHOICES)
