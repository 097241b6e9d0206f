from rest_framework import serializers

from integrations.webhooks.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEventType,
)


class WebhookEndpointSerializer(serializers.ModelSerializer):
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEventType.subscribable()),
        allow_empty=False,
        max_length=20,
        help_text="Event types to receive.",
    )
    secret_hint = serializers.SerializerMethodField(
        help_text="The start of the signing secret, to tell secrets apart; the whole secret "
        "is returned only when created or rolled."
    )
    backlog = serializers.IntegerField(
        read_only=True, default=0, help_text="Deliveries queued or being sent."
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "events",
            "is_active",
            "secret_hint",
            "backlog",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def get_secret_hint(self, endpoint: WebhookEndpoint) -> str:
        return f"{endpoint.secret[:10]}…"


class WebhookEndpointWithSecretSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="The HMAC-SHA256 signing key. Shown only in this response."
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event_id = serializers.UUIDField(source="event.uid", read_only=True)
    event_type = serializers.CharField(source="event.type", read_only=True)
    occurred_at = serializers.DateTimeField(source="event.occurred_at", read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event_id",
            "event_type",
            "occurred_at",
            "status",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "last_error",
            "completed_at",
            "created_at",
            "replay_of",
        ]
        read_only_fields = fields


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = [
            "number",
            "outcome",
            "started_at",
            "finished_at",
            "duration_ms",
            "status_code",
            "response_excerpt",
            "error",
        ]
        read_only_fields = fields


class WebhookDeliveryDetailSerializer(WebhookDeliverySerializer):
    data = serializers.JSONField(source="event.data", read_only=True)
    attempt_log = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta(WebhookDeliverySerializer.Meta):
        fields = [*WebhookDeliverySerializer.Meta.fields, "data", "attempt_log"]
        read_only_fields = fields


class DeliveryStatusFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=WebhookDelivery.Status.choices, required=False)
