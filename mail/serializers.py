from rest_framework import serializers

from mail.models import CampaignSend, EmailTemplate, MailKind, Message, Suppression
from mail.selectors import REPORT_FIELDS


class MessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = [
            "id", "message_id", "kind", "lead", "to_email", "subject", "body_text", "body_html",
            "status", "reason", "send_after", "created_at", "sent_at", "delivered_at",
            "opened_at", "clicked_at", "replied_at", "bounced_at", "unsubscribed_at",
            "campaign_send", "enrolment", "step", "sender",
        ]  # fmt: skip
        read_only_fields = fields


class ComposeSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=300, required=False, allow_blank=True)
    body_text = serializers.CharField(required=False, allow_blank=True)
    body_html = serializers.CharField(required=False, allow_blank=True, default="")
    template = serializers.IntegerField(
        required=False, allow_null=True, help_text="Id of a template to start from."
    )
    kind = serializers.ChoiceField(choices=MailKind.choices, default=MailKind.SALES)
    send_after = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Empty or past: send now."
    )


class TemplateSerializer(serializers.ModelSerializer):
    class Meta:
        model = EmailTemplate
        fields = ["id", "name", "kind", "subject", "body_text", "body_html", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"body_html": {"required": False, "allow_blank": True}}


class SuppressionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Suppression
        fields = ["id", "email", "reason", "detail", "created_at"]
        read_only_fields = ["id", "reason", "created_at"]
        # Adding an address already there answers 200 with it (idempotent), not 400.
        extra_kwargs = {
            "detail": {"required": False, "allow_blank": True},
            "email": {"validators": []},
        }


class ReportSerializer(serializers.Serializer):
    pass


for _field in REPORT_FIELDS:
    ReportSerializer._declared_fields[_field] = serializers.IntegerField()


class CampaignSendSerializer(serializers.ModelSerializer):
    report = ReportSerializer(read_only=True)

    class Meta:
        model = CampaignSend
        fields = [
            "id", "name", "campaign", "saved_view", "subject", "body_text", "body_html",
            "scheduled_at", "status", "reason", "recipients", "created_at", "report",
        ]  # fmt: skip
        read_only_fields = ["id", "status", "reason", "recipients", "created_at", "report"]


class CampaignSendWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    saved_view = serializers.IntegerField(help_text="Id of a saved lead view you may open.")
    campaign = serializers.IntegerField(required=False, allow_null=True)
    subject = serializers.CharField(max_length=300)
    body_text = serializers.CharField()
    body_html = serializers.CharField(required=False, allow_blank=True, default="")
    scheduled_at = serializers.DateTimeField(required=False, allow_null=True)


class StepReportSerializer(ReportSerializer):
    step_id = serializers.IntegerField()
    step__position = serializers.IntegerField()
    step__subject = serializers.CharField()


class StepEmailSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=300)
    body_text = serializers.CharField()
    body_html = serializers.CharField(required=False, allow_blank=True, default="")
