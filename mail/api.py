"""REST API v1 for email: a lead's emails (compose, list, mark replied), templates, the
suppression list (managers), campaign sends with their report (marketing and managers),
sequence step emails and the per-step report. Thin: querysets from mail.selectors (a
record outside them is a 404), writes from mail.services / mail.campaigns."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from funnel.roles import is_manager
from leads.filters import IdFilter
from leads.selectors import lead_is_editable_by, leads_visible_to
from lists.models import SavedView
from mail import campaigns, selectors, services
from mail.models import CampaignSend, EmailTemplate, Message, Suppression
from mail.serializers import (
    CampaignSendSerializer,
    CampaignSendWriteSerializer,
    ComposeSerializer,
    MessageSerializer,
    StepEmailSerializer,
    StepReportSerializer,
    SuppressionSerializer,
    TemplateSerializer,
)
from marketing.models import Campaign
from sales.models import Sequence, SequenceStep
from sales.selectors import can_work_sales, enrolments_visible_to
from sales.serializers import EnrolmentSerializer


def _valid(request, serializer_class) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class MessageFilter(filters.FilterSet):
    lead = IdFilter(field_name="lead_id", help_text="Id of the lead.")
    status = filters.MultipleChoiceFilter(choices=Message.Status.choices)
    campaign_send = IdFilter(field_name="campaign_send_id", help_text="Id of a campaign send.")

    class Meta:
        model = Message
        fields = ["lead", "status", "campaign_send"]


class MessageViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Emails to the leads you may see, newest first."""

    serializer_class = MessageSerializer
    filterset_class = MessageFilter
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet[Message]:
        return selectors.messages_visible_to(self.request.user)

    @extend_schema(
        summary="Mark as replied",
        request=None,
        description="The lead answered (outside Funnel): recorded once, a reply touch, and "
        "the lead's running sequence enrolments stop.",
    )
    @action(detail=True, methods=["post"], url_path="mark-replied")
    def mark_replied(self, request, pk=None):
        message = self.get_object()
        if not lead_is_editable_by(request.user, lead=message.lead):
            raise PermissionDenied("You can see this lead but not change it.")
        services.message_mark_replied(message=message, actor=request.user)
        message.refresh_from_db()
        return Response(MessageSerializer(message).data)


class EnrolmentRepliedView(APIView):
    @extend_schema(
        summary="Mark an enrolment as replied",
        request=None,
        responses={200: EnrolmentSerializer},
        description="The lead answered the sequence outside Funnel: its latest sent email "
        "is marked replied (or, with none sent yet, a reply touch of the lead), and the "
        "lead's running enrolments stop. Idempotent: an ended enrolment is returned as is.",
    )
    def post(self, request, pk: int):
        if not can_work_sales(request.user):
            raise PermissionDenied("Sequences are for sales reps and managers.")
        enrolment = get_object_or_404(
            enrolments_visible_to(request.user).select_related("lead"), pk=pk
        )
        if not lead_is_editable_by(request.user, lead=enrolment.lead):
            raise PermissionDenied("You can see this lead but not change it.")
        services.enrolment_mark_replied(enrolment_id=enrolment.pk, actor=request.user)
        enrolment.refresh_from_db()
        return Response(EnrolmentSerializer(enrolment).data)


class LeadEmailView(APIView):
    serializer_class = ComposeSerializer

    @extend_schema(
        summary="Email a lead",
        request=ComposeSerializer,
        responses={201: MessageSerializer},
        description="Free text or a template, merge fields filled for the lead; sent now or "
        "at `send_after`. 400 for an unknown merge field, a body over 1 MB, or a lead who may "
        "not be written to (suppressed, no consent), with the reason.",
    )
    def post(self, request, pk: int):
        lead = get_object_or_404(leads_visible_to(request.user), pk=pk)
        if not lead_is_editable_by(request.user, lead=lead):
            raise PermissionDenied("You can see this lead but not write to them.")
        data = _valid(request, ComposeSerializer)
        template = None
        if data.get("template") is not None:
            template = (
                selectors.templates_usable_by(request.user).filter(pk=data["template"]).first()
            )
            if template is None:
                from django.core.exceptions import ValidationError

                raise ValidationError({"template": "No such template."})
        message = services.message_compose(
            lead=lead,
            sender=request.user,
            subject=data.get("subject") or (template.subject if template else ""),
            body_text=data.get("body_text") or (template.body_text if template else ""),
            body_html=data.get("body_html") or (template.body_html if template else ""),
            kind=data["kind"],
            template=template,
            send_after=data.get("send_after"),
        )
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)


class TemplateViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin, viewsets.GenericViewSet,
):  # fmt: skip
    serializer_class = TemplateSerializer
    lookup_value_regex = r"[0-9]+"
    pagination_class = None

    def get_queryset(self) -> QuerySet[EmailTemplate]:
        return selectors.templates_usable_by(self.request.user).order_by("name", "id")

    def create(self, request):
        data = _valid(request, TemplateSerializer)
        if data.get("kind") == "marketing" and not campaigns.may_send_campaigns(request.user):
            raise PermissionDenied("Marketing templates are for marketing and managers.")
        template = services.template_save(owner=request.user, **data)
        return Response(TemplateSerializer(template).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        description="Marketing and managers change any template; a rep their own sales "
        "templates (another's is 403). Same checks as on create: unknown merge fields and "
        "bodies over 1 MB are 400, HTML is sanitised."
    )
    def update(self, request, *args, **kwargs):
        template = self.get_object()
        if not selectors.template_is_editable_by(request.user, template=template):
            raise PermissionDenied("Only its owner, marketing or a manager edits this template.")
        serializer = TemplateSerializer(
            template, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        data = {
            field: serializer.validated_data.get(field, getattr(template, field))
            for field in ("name", "kind", "subject", "body_text", "body_html")
        }
        if data["kind"] == "marketing" and not campaigns.may_send_campaigns(request.user):
            raise PermissionDenied("Marketing templates are for marketing and managers.")
        saved = services.template_save(owner=request.user, template=template, **data)
        return Response(TemplateSerializer(saved).data)


class ManagersOnly(permissions.BasePermission):
    message = "Only managers see and change the suppression list."

    def has_permission(self, request, view) -> bool:
        return is_manager(request.user)


class SuppressionViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    serializer_class = SuppressionSerializer
    permission_classes = [permissions.IsAuthenticated, ManagersOnly]
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet[Suppression]:
        return Suppression.objects.all()

    @extend_schema(
        responses={201: SuppressionSerializer, 200: SuppressionSerializer},
        description="Suppress an address everywhere: 201 when added, 200 when it was "
        "already on the list (its first reason stays).",
    )
    def create(self, request):
        data = _valid(request, SuppressionSerializer)
        row, created = services.suppression_add(
            email=data["email"],
            reason=Suppression.Reason.MANUAL,
            detail=data.get("detail", ""),
            actor=request.user,
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(SuppressionSerializer(row).data, status=code)

    def perform_destroy(self, instance) -> None:
        services.suppression_remove(suppression_id=instance.pk, actor=self.request.user)


class MarketingOnly(permissions.BasePermission):
    message = "Campaign email is for marketing and managers."

    def has_permission(self, request, view) -> bool:
        return campaigns.may_send_campaigns(request.user)


class CampaignSendViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = CampaignSendSerializer
    permission_classes = [permissions.IsAuthenticated, MarketingOnly]
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet[CampaignSend]:
        return CampaignSend.objects.all()

    def retrieve(self, request, pk=None):
        send = self.get_object()
        send.report = selectors.email_report(Message.objects.filter(campaign_send=send))
        return Response(CampaignSendSerializer(send).data)

    @extend_schema(request=CampaignSendWriteSerializer, responses={201: CampaignSendSerializer})
    def create(self, request):
        from django.core.exceptions import ValidationError

        data = _valid(request, CampaignSendWriteSerializer)
        view = SavedView.objects.filter(pk=data["saved_view"]).first()
        if view is None:
            raise ValidationError({"saved_view": "No such saved view."})
        campaign = None
        if data.get("campaign") is not None:
            campaign = Campaign.objects.filter(pk=data["campaign"]).first()
            if campaign is None:
                raise ValidationError({"campaign": "No such campaign."})
        send = campaigns.campaign_send_create(
            actor=request.user,
            name=data["name"],
            saved_view=view,
            subject=data["subject"],
            body_text=data["body_text"],
            body_html=data.get("body_html", ""),
            campaign=campaign,
            scheduled_at=data.get("scheduled_at"),
        )
        return Response(CampaignSendSerializer(send).data, status=status.HTTP_201_CREATED)


def _sequence_for(request, pk: int) -> Sequence:
    if not can_work_sales(request.user):
        raise PermissionDenied("Sequences are for sales reps and managers.")
    return get_object_or_404(Sequence, pk=pk)


class SequenceEmailReportView(APIView):
    @extend_schema(
        summary="Email report per sequence step", responses=StepReportSerializer(many=True)
    )
    def get(self, request, pk: int):
        sequence = _sequence_for(request, pk)
        return Response(
            StepReportSerializer(selectors.sequence_step_reports(sequence.pk), many=True).data
        )


class StepEmailView(APIView):
    @extend_schema(
        summary="Set a sequence step's email",
        request=StepEmailSerializer,
        responses=StepEmailSerializer,
    )
    def put(self, request, pk: int):
        if not can_work_sales(request.user):
            raise PermissionDenied("Sequences are for sales reps and managers.")
        step = get_object_or_404(SequenceStep, pk=pk)
        data = _valid(request, StepEmailSerializer)
        try:
            email = services.step_email_set(step_id=step.pk, actor=request.user, **data)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        return Response(StepEmailSerializer(email).data)
