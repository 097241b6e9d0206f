"""REST API for webhooks (managers and manager-level API keys only): endpoints CRUD,
their delivery log, replays and secret rolls. Everyone else gets 403."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from funnel.api_query import query_values
from funnel.pagination import CursorPagination
from funnel.roles import is_manager
from integrations.webhooks import services as webhooks
from integrations.webhooks.models import WebhookDelivery, WebhookEndpoint
from integrations.webhooks.selectors import (
    webhook_deliveries_for_endpoint,
    webhook_endpoints_for_listing,
)
from integrations.webhooks.serializers import (
    DeliveryStatusFilterSerializer,
    WebhookDeliveryDetailSerializer,
    WebhookDeliverySerializer,
    WebhookEndpointSerializer,
    WebhookEndpointWithSecretSerializer,
)

ERROR = OpenApiResponse(OpenApiTypes.OBJECT, description='`{"detail": "..."}`')
BAD_REQUEST = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="Invalid input: each field mapped to a list of messages, e.g. a URL that "
    "resolves to a private address.",
)
COMMON = {401: ERROR, 403: OpenApiResponse(OpenApiTypes.OBJECT, description="Managers only.")}
DETAIL = {**COMMON, 404: OpenApiResponse(OpenApiTypes.OBJECT, description="No such endpoint.")}
DELIVERY_ID = OpenApiParameter("delivery_id", OpenApiTypes.INT, OpenApiParameter.PATH)


class IsManager(permissions.BasePermission):
    message = "Only managers manage webhooks."

    def has_permission(self, request, view) -> bool:
        return is_manager(request.user)


class DeliveryPagination(CursorPagination):
    ordering = ("-id",)


@extend_schema_view(
    list=extend_schema(
        summary="List webhook endpoints",
        responses={200: WebhookEndpointSerializer(many=True), **COMMON},
    ),
    retrieve=extend_schema(
        summary="Read a webhook endpoint", responses={200: WebhookEndpointSerializer, **DETAIL}
    ),
    create=extend_schema(
        summary="Register a webhook endpoint",
        description="Returns the endpoint with its signing `secret`, shown only here. URLs "
        "resolving to private, loopback, link-local or reserved addresses are refused.",
        request=WebhookEndpointSerializer,
        responses={201: WebhookEndpointWithSecretSerializer, 400: BAD_REQUEST, **COMMON},
    ),
    update=extend_schema(
        summary="Replace a webhook endpoint's settings",
        request=WebhookEndpointSerializer,
        responses={200: WebhookEndpointSerializer, 400: BAD_REQUEST, **DETAIL},
    ),
    partial_update=extend_schema(
        summary="Change some of a webhook endpoint's settings",
        request=WebhookEndpointSerializer,
        responses={200: WebhookEndpointSerializer, 400: BAD_REQUEST, **DETAIL},
    ),
    destroy=extend_schema(
        summary="Delete a webhook endpoint and its delivery log", responses={204: None, **DETAIL}
    ),
)
class WebhookEndpointViewSet(viewsets.ModelViewSet):
    serializer_class = WebhookEndpointSerializer
    permission_classes = [permissions.IsAuthenticated, IsManager]
    # At most 18 digits: a bigger number is no id (and would overflow the database's).
    lookup_value_regex = r"[0-9]{1,18}"
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[WebhookEndpoint]:
        return webhook_endpoints_for_listing()

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = webhooks.webhook_endpoint_create(
            **serializer.validated_data, created_by=request.user
        )
        return Response(
            WebhookEndpointWithSecretSerializer(endpoint).data, status=status.HTTP_201_CREATED
        )

    def update(self, request, *args, **kwargs):
        endpoint = self.get_object()
        serializer = self.get_serializer(
            endpoint, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        webhooks.webhook_endpoint_update(endpoint=endpoint, data=serializer.validated_data)
        return Response(self.get_serializer(self.get_object()).data)

    def perform_destroy(self, instance: WebhookEndpoint) -> None:
        webhooks.webhook_endpoint_delete(endpoint=instance)

    @extend_schema(
        summary="Roll an endpoint's signing secret",
        description="Returns the new `secret` (shown only here). The previous secret keeps "
        "signing, as a second `v1,...` signature in `webhook-signature`, for 24 hours.",
        request=None,
        responses={200: WebhookEndpointWithSecretSerializer, **DETAIL},
    )
    @action(detail=True, methods=["post"], url_path="roll-secret")
    def roll_secret(self, request, pk=None):
        endpoint = webhooks.webhook_endpoint_roll_secret(endpoint=self.get_object())
        return Response(WebhookEndpointWithSecretSerializer(endpoint).data)

    @extend_schema(
        summary="Send a test event to an endpoint",
        description="Queues a `webhook.test` event for this endpoint only, through the "
        "outbox like any event (signed, retried, in the delivery log). 400 if the endpoint "
        "is inactive.",
        request=None,
        responses={202: WebhookDeliverySerializer, 400: BAD_REQUEST, **DETAIL},
    )
    @action(detail=True, methods=["post"], url_path="test-event")
    def test_event(self, request, pk=None):
        delivery = webhooks.webhook_endpoint_send_test(endpoint=self.get_object())
        delivery = WebhookDelivery.objects.select_related("event").get(pk=delivery.pk)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="An endpoint's delivery log",
        description="Newest first, cursor-paginated; `status` filters.",
        parameters=[DeliveryStatusFilterSerializer],
        responses={200: WebhookDeliverySerializer(many=True), 400: BAD_REQUEST, **DETAIL},
    )
    @action(detail=True, methods=["get"], pagination_class=DeliveryPagination)
    def deliveries(self, request, pk=None):
        endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
        filters = DeliveryStatusFilterSerializer(data=query_values(request))
        filters.is_valid(raise_exception=True)
        deliveries = webhook_deliveries_for_endpoint(
            endpoint_id=endpoint.pk, status=filters.validated_data.get("status")
        )
        page = self.paginate_queryset(deliveries)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(
        summary="One delivery with its payload and attempt log",
        parameters=[DELIVERY_ID],
        responses={200: WebhookDeliveryDetailSerializer, **DETAIL},
    )
    @action(detail=True, methods=["get"], url_path=r"deliveries/(?P<delivery_id>[0-9]{1,18})")
    def delivery(self, request, pk=None, delivery_id=None):
        delivery = self._delivery(pk, delivery_id)
        return Response(WebhookDeliveryDetailSerializer(delivery).data)

    @extend_schema(
        summary="Replay a delivered or dead-lettered event",
        description="Queues the event again for this endpoint as a new delivery (same event "
        "id). 400 if the delivery is still open or the event is already queued again.",
        request=None,
        parameters=[DELIVERY_ID],
        responses={
            202: WebhookDeliverySerializer,
            **DETAIL,
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="Nothing to replay."),
        },
    )
    @action(
        detail=True, methods=["post"], url_path=r"deliveries/(?P<delivery_id>[0-9]{1,18})/replay"
    )
    def replay(self, request, pk=None, delivery_id=None):
        delivery = self._delivery(pk, delivery_id)
        replay = webhooks.webhook_delivery_replay(delivery=delivery)
        replay = WebhookDelivery.objects.select_related("event").get(pk=replay.pk)
        return Response(WebhookDeliverySerializer(replay).data, status=status.HTTP_202_ACCEPTED)

    def _delivery(self, pk, delivery_id) -> WebhookDelivery:
        return get_object_or_404(
            WebhookDelivery.objects.select_related("event").prefetch_related("attempt_log"),
            pk=delivery_id,
            endpoint_id=pk,
        )


webhook_router = SimpleRouter()
webhook_router.register("webhooks", WebhookEndpointViewSet, basename="webhook")
