"""REST API v1 for marketing: campaigns, their spend, touches, public capture, results.

Everything but `capture/` is for marketing staff and managers (a sales rep gets 403).
Views validate, call a service or selector, serialise; domain errors are mapped to HTTP
once, in `funnel.api_errors`.
"""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from funnel.api_query import query_values
from funnel.metrics.window import Window
from funnel.pagination import CursorPagination
from funnel.throttling import CaptureRateThrottle
from leads.emails import normalize_email
from leads.history import request_id_of
from leads.merge_policy import WriteOrigin
from leads.models import ChangeSource, Lead
from leads.selectors import leads_visible_to
from marketing import services
from marketing.capture import LEAD_FIELDS, UTM_FIELDS, lead_capture
from marketing.filters import CampaignFilter, TouchFilter
from marketing.metrics import campaign_results
from marketing.models import Campaign, Spend, Touch
from marketing.permissions import MarketingPermission
from marketing.selectors import (
    campaigns_by_utm_name,
    campaigns_with_totals,
    lead_score_explanation,
)
from marketing.serializers import (
    MAX_BATCH,
    CampaignMetricsSerializer,
    CampaignResultSerializer,
    CampaignSerializer,
    CaptureResultSerializer,
    CaptureSerializer,
    SpendSerializer,
    TouchInSerializer,
    TouchSerializer,
    WindowSerializer,
)

MARKETING = [permissions.IsAuthenticated, MarketingPermission]
INVALID = OpenApiResponse(OpenApiTypes.OBJECT, description="Invalid input, by field.")


def one_or_many(name: str, serializer: type) -> PolymorphicProxySerializer:
    """A body that is one object or a list of them (the answer mirrors the request).
    `many=False` keeps spectacular from documenting it as the view's paginated list."""
    return PolymorphicProxySerializer(
        component_name=name,
        serializers=[serializer(), serializer(many=True)],
        resource_type_field_name=None,
        many=False,
    )


@extend_schema_view(
    list=extend_schema(summary="List campaigns"),
    retrieve=extend_schema(summary="Read a campaign"),
    create=extend_schema(
        summary="Create a campaign", responses={201: CampaignSerializer, 400: INVALID}
    ),
    update=extend_schema(
        summary="Update a campaign", responses={200: CampaignSerializer, 400: INVALID}
    ),
    partial_update=extend_schema(summary="Update some fields of a campaign"),
)
class CampaignViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Campaigns, with spend so far and leads sourced. Not deleted through the API: a
    finished campaign is `completed`, and its figures stay in the results."""

    serializer_class = CampaignSerializer
    permission_classes = MARKETING
    filterset_class = CampaignFilter
    lookup_value_converter = "int"
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet[Campaign]:
        return campaigns_with_totals()

    @extend_schema(
        summary="Regenerate the capture key",
        description="Forms posting the old key stop working (404) from now on.",
        request=None,
        responses={200: CampaignSerializer},
    )
    @action(detail=True, methods=["post"], url_path="regenerate-key", filter_backends=[])
    def regenerate_key(self, request, pk=None):
        campaign = services.campaign_regenerate_capture_key(campaign=self.get_object())
        return Response(self.get_serializer(campaign).data)


class SpendPagination(CursorPagination):
    ordering = ("-day", "-id")


class CampaignSpendView(generics.ListCreateAPIView):
    """A campaign's cost ledger. POST one line, or a list of up to 1,000 (all or none)."""

    serializer_class = SpendSerializer
    permission_classes = MARKETING
    pagination_class = SpendPagination
    filter_backends = []

    def campaign(self) -> Campaign:
        return get_object_or_404(Campaign, pk=self.kwargs["pk"])

    def get_queryset(self) -> QuerySet[Spend]:
        return Spend.objects.filter(campaign=self.campaign())

    @extend_schema(
        summary="Add spend",
        request=one_or_many("SpendOneOrMany", SpendSerializer),
        responses={201: one_or_many("SpendOneOrMany", SpendSerializer), 400: INVALID, 404: None},
    )
    def post(self, request, *args, **kwargs):
        campaign = self.campaign()
        many = isinstance(request.data, list)
        if many and not 1 <= len(request.data) <= MAX_BATCH:
            raise ValidationError({"detail": f"Send 1 to {MAX_BATCH} spend lines."})
        serializer = SpendSerializer(data=request.data, many=many)
        serializer.is_valid(raise_exception=True)
        lines = serializer.validated_data if many else [serializer.validated_data]
        try:
            rows = services.spend_record(
                campaign=campaign,
                lines=[
                    services.SpendLine(
                        line["day"], line["amount"], line.get("note", ""), line.get("currency", "")
                    )
                    for line in lines
                ],
                actor=request.user,
            )
        except services.SpendRateMissing as exc:
            # The shape of the serializer's own errors: by line index in a batch.
            if not many:
                raise ValidationError({"currency": list(exc.by_index.values())}) from None
            by_line = {str(i): {"currency": [message]} for i, message in exc.by_index.items()}
            raise ValidationError(by_line) from None
        data = SpendSerializer(rows, many=True).data
        return Response(data if many else data[0], status=status.HTTP_201_CREATED)


class SpendDetailView(generics.RetrieveDestroyAPIView):
    serializer_class = SpendSerializer
    permission_classes = MARKETING

    def get_object(self) -> Spend:
        return get_object_or_404(Spend, pk=self.kwargs["spend_pk"], campaign_id=self.kwargs["pk"])

    def perform_destroy(self, instance: Spend) -> None:
        services.spend_delete(spend=instance)


class TouchPagination(CursorPagination):
    ordering = ("-at", "-id")


@extend_schema_view(
    list=extend_schema(summary="List touches"), retrieve=extend_schema(summary="Read a touch")
)
class TouchViewSet(viewsets.ReadOnlyModelViewSet):
    """The engagement log. POST records touches in bulk from other tools."""

    serializer_class = TouchSerializer
    permission_classes = MARKETING
    pagination_class = TouchPagination
    filterset_class = TouchFilter
    queryset = Touch.objects.all()
    lookup_value_converter = "int"
    lookup_value_regex = r"[0-9]+"

    @extend_schema(
        summary="Record touches",
        description=(
            f"A list of 1 to {MAX_BATCH} touches (or one object), recorded all or none. Each "
            "names its lead by `lead` id or `email`, and its campaign by `campaign` id or by "
            "a `utm_campaign` equal to a campaign's UTM name. A lead without a source "
            "campaign gets the campaign of its first touch; scores are updated."
        ),
        request=one_or_many("TouchInOneOrMany", TouchInSerializer),
        responses={201: one_or_many("TouchOneOrMany", TouchSerializer), 400: INVALID},
    )
    def create(self, request, *args, **kwargs):
        many = isinstance(request.data, list)
        items = request.data if many else [request.data]
        if not 1 <= len(items) <= MAX_BATCH:
            raise ValidationError({"non_field_errors": [f"Send 1 to {MAX_BATCH} touches."]})
        # Every item is checked, and every error reported, before anything is written.
        checked = [TouchInSerializer(data=item) for item in items]
        errors = {i: item.errors for i, item in enumerate(checked) if not item.is_valid()}
        valid = {i: item.validated_data for i, item in enumerate(checked) if i not in errors}
        touches, unresolved = _touches_resolve(valid)
        errors |= unresolved
        if errors:
            # Failing items only, keyed by index: DRF's list error shape here
            # (LIST_SERIALIZER_ERRORS_AS_DICT).
            raise ValidationError(dict(sorted(errors.items())) if many else errors[0])
        origin = WriteOrigin(
            source=ChangeSource.API, actor=request.user, request_id=request_id_of(request)
        )
        created = services.touches_record(touches=touches, origin=origin)
        data = TouchSerializer(created, many=True).data
        return Response(data if many else data[0], status=status.HTTP_201_CREATED)


def _touches_resolve(
    items: dict[int, dict],
) -> tuple[list[services.TouchData], dict[int, dict[str, list[str]]]]:
    """Leads and campaigns of a batch in four queries, whatever its size."""
    emails = {}
    for item in items.values():
        if "email" in item:
            try:
                emails[item["email"]] = normalize_email(item["email"])
            except DjangoValidationError:  # Reported on the item below.
                emails[item["email"]] = None
    by_email = dict(
        Lead.objects.filter(email__in=[e for e in emails.values() if e]).values_list("email", "pk")
    )
    asked_leads = [i["lead"] for i in items.values() if "lead" in i]
    lead_ids = set(Lead.objects.filter(pk__in=asked_leads).values_list("pk", flat=True))
    asked_campaigns = [i["campaign"] for i in items.values() if i.get("campaign")]
    campaign_ids = set(Campaign.objects.filter(pk__in=asked_campaigns).values_list("pk", flat=True))
    by_utm = campaigns_by_utm_name(
        names=[i["utm_campaign"] for i in items.values() if i.get("utm_campaign")]
    )
    errors: dict[int, dict[str, list[str]]] = {}
    resolved, now = [], timezone.now()
    for index, item in items.items():
        error = {}
        lead_id = item.get("lead")
        if "email" in item:
            lead_id = by_email.get(emails[item["email"]] or "")
            if lead_id is None:
                error["email"] = ["No lead has this email address."]
        elif lead_id not in lead_ids:
            error["lead"] = ["No such lead."]
        campaign_id = item.get("campaign")
        if campaign_id and campaign_id not in campaign_ids:
            error["campaign"] = ["No such campaign."]
        if "campaign" not in item and item.get("utm_campaign"):
            campaign_id = by_utm.get(item["utm_campaign"].strip().lower())
        if error:
            errors[index] = error
            continue
        utm = {name: item.get(name, "") for name in UTM_FIELDS}
        resolved.append(
            services.TouchData(
                lead_id=lead_id,
                kind=item["kind"],
                at=item.get("at") or now,
                campaign_id=campaign_id,
                **utm,
            )
        )
    return resolved, errors


class CaptureView(APIView):
    """Public lead capture for web forms (no authentication, throttled per address)."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [CaptureRateThrottle]
    # The project's parsers (REST_FRAMEWORK default): JSON, HTML forms and multipart.
    renderer_classes = [JSONRenderer]

    @extend_schema(
        summary="Capture a lead from a web form",
        description=(
            "Upserts the person by email and records a `form_submit` touch for the campaign "
            "whose capture key is `key`. JSON posts get 201; HTML form posts are redirected "
            "(303) to the campaign's thank-you page. A wrong key is a 404 and writes nothing. "
            "Throttled per client address."
        ),
        request=CaptureSerializer,
        responses={201: CaptureResultSerializer, 303: None, 400: INVALID, 404: None, 429: None},
        auth=[],
    )
    def post(self, request):
        data = request.data if hasattr(request.data, "get") else {}
        key = data.get("key")
        # A NUL byte cannot even be sent to PostgreSQL (it was a 500); no key contains one.
        well_formed = isinstance(key, str) and "\x00" not in key and len(key) <= 64
        campaign = Campaign.objects.filter(capture_key=key).first() if well_formed else None
        browser = _browser_form_post(request)
        if campaign is None or not key:
            if browser:
                return _capture_refused(request, {"key": ["This form is not set up."]}, 404)
            raise NotFound("Unknown capture key.")
        serializer = CaptureSerializer(data=data)
        # Bots fill every field: answer as if all went well, and write nothing.
        if not data.get("website"):
            if browser and not serializer.is_valid():
                return _capture_refused(request, serializer.errors, 400)
            serializer.is_valid(raise_exception=True)
            values = serializer.validated_data
            try:
                lead_capture(
                    campaign=campaign,
                    email=values["email"],
                    fields={name: values[name] for name in LEAD_FIELDS if name in values},
                    utm={name: values[name] for name in UTM_FIELDS if name in values},
                    consent=values.get("consent", False),
                )
            except DjangoValidationError as refused:
                if not browser:
                    raise  # funnel.api_errors: 400 with the field errors
                errors = (
                    refused.message_dict
                    if hasattr(refused, "error_dict")
                    else {"email": refused.messages}
                )
                return _capture_refused(request, errors, 400)
        if browser:
            response = HttpResponseRedirect(
                campaign.thank_you_url or reverse("marketing:capture-thanks")
            )
            response.status_code = status.HTTP_303_SEE_OTHER  # The browser follows with GET.
            return response
        return Response({"status": "ok"}, status=status.HTTP_201_CREATED)


def _browser_form_post(request) -> bool:
    """A web form posted by a visitor's browser (form encoded), unless the client asks
    for JSON: that person gets pages, integrations get JSON."""
    form = request.content_type.startswith(("application/x-www-form-urlencoded", "multipart/"))
    accept = request.META.get("HTTP_ACCEPT", "")
    return form and not ("application/json" in accept and "text/html" not in accept)


def _capture_refused(request, errors, status_code: int) -> HttpResponse:
    """The visitor's answer to a refused form: what was wrong, in words, and a way back."""
    labels = {name: field.label or name for name, field in CaptureSerializer().fields.items()}
    problems = [
        {"field": labels.get(name, name).capitalize(), "messages": [str(m) for m in messages]}
        for name, messages in errors.items()
    ]
    back = request.META.get("HTTP_REFERER", "")
    back = back if back.startswith(("http://", "https://")) else ""
    context = {"problems": problems, "back": back}
    return render(request, "marketing/capture_error.html", context, status=status_code)


class CampaignMetricsView(APIView):
    permission_classes = MARKETING

    @extend_schema(
        summary="Campaign results",
        description=(
            "Per campaign, for the window (site time zone, both days inclusive): leads "
            "(first touch), prospects and customers among them, spend, cost per lead / "
            "prospect / customer, revenue of deals won credited first-touch, last-touch and "
            "linear, ROI per model, and the promotion's results; plus a row for no campaign "
            "(`campaign: null`) and totals. A ratio with a zero denominator is null."
        ),
        parameters=[WindowSerializer],
        responses={200: CampaignMetricsSerializer, 400: INVALID},
    )
    def get(self, request):
        params = WindowSerializer(data=query_values(request))
        params.is_valid(raise_exception=True)
        query = params.validated_data
        campaigns = Campaign.objects.all()
        narrowed = False
        for name in ("campaign", "channel", "status"):
            if name in query:
                campaigns = campaigns.filter(**{"pk" if name == "campaign" else name: query[name]})
                narrowed = True
        window = Window(query["since"], query["until"])
        rows, totals = campaign_results(
            window=window, campaigns=campaigns, include_none=not narrowed
        )
        return Response(
            {
                "since": window.since,
                "until": window.until,
                "currency": settings.FUNNEL_CURRENCY,
                "campaigns": CampaignResultSerializer(rows, many=True).data,
                "totals": CampaignResultSerializer(totals).data,
            }
        )


class LeadScoreView(APIView):
    """Why a lead has its score. Anyone who may see the lead may read it."""

    @extend_schema(
        summary="Explain a lead's score",
        responses={200: OpenApiTypes.OBJECT, 404: None},
    )
    def get(self, request, pk: int):
        lead = get_object_or_404(leads_visible_to(request.user), pk=pk)
        explanation = lead_score_explanation(lead=lead)
        return Response(
            {
                "lead": lead.pk,
                "score": explanation.stored_score,
                "score_now": explanation.total_now,
                "threshold": explanation.threshold,
                "half_life_days": explanation.half_life_days,
                "engagement_now": explanation.engagement_now,
                "touch_count": explanation.touch_count,
                "touches": [
                    {
                        "id": item.touch.pk,
                        "kind": item.touch.kind,
                        "at": item.touch.at,
                        "campaign": item.touch.campaign_id,
                        "points_then": item.points_then,
                        "points_now": item.points_now,
                    }
                    for item in explanation.touches
                ],
                "fit": [
                    {"field": item.field, "value": item.value, "points": item.points}
                    for item in explanation.fit
                ],
            }
        )
