"""REST API v1 for the rate table: everyone signed in reads, managers write.

A deleted rate that stored amounts depend on is a 409 (`RateInUse`, mapped centrally);
bad input is a 400 naming the field, and nothing is written.
"""

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from currencies import services
from currencies.codes import currency_names
from currencies.models import ExchangeRate
from currencies.rates_csv import RateFileInvalid, rates_import_csv
from currencies.serializers import (
    CurrencySerializer,
    RateImportResultSerializer,
    RateImportSerializer,
    RateSerializer,
    RateUpdateSerializer,
)
from funnel import api_access as funnel_access
from funnel.api_access import error_responses
from funnel.pagination import CursorPagination
from funnel.parsers import FormParser, JSONParser, MultiPartParser
from sales.serializers import ErrorSerializer

ERRORS = error_responses(
    ErrorSerializer, forbidden="Only managers change rates.", not_found="No such rate."
)


class ManagersWrite(funnel_access.ManagersWrite):
    message = "Only managers change exchange rates."


class RatePagination(CursorPagination):
    ordering = ("currency", "-day", "-id")


class RateFilter(filters.FilterSet):
    currency = filters.CharFilter(method="by_currency", help_text="ISO 4217 code.")
    day_from = filters.DateFilter(field_name="day", lookup_expr="gte")
    day_to = filters.DateFilter(field_name="day", lookup_expr="lte")

    class Meta:
        model = ExchangeRate
        fields = ["currency", "day_from", "day_to"]

    def by_currency(self, queryset, name, value):
        return queryset.filter(currency=value.strip().upper())


@extend_schema_view(
    list=extend_schema(summary="List exchange rates", responses={200: RateSerializer(many=True)}),
    retrieve=extend_schema(summary="Read an exchange rate", responses={200: RateSerializer}),
    create=extend_schema(
        summary="Enter a rate (or correct the one of that currency and day)",
        request=RateSerializer,
        responses={201: RateSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary="Correct a rate's value",
        request=RateUpdateSerializer,
        responses={200: RateSerializer, **ERRORS},
    ),
    destroy=extend_schema(
        summary="Delete a rate",
        description="409 when stored deals or spend are converted with it and no earlier rate.",
        responses={
            204: None,
            **ERRORS,
            409: OpenApiResponse(ErrorSerializer, description="Amounts depend on this rate."),
        },
    ),
)
class RateViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The rate table: 1 `currency` = `rate` company currency, from `day` on."""

    serializer_class = RateSerializer
    permission_classes = [permissions.IsAuthenticated, ManagersWrite]
    filterset_class = RateFilter
    pagination_class = RatePagination
    lookup_value_converter = "int"
    lookup_value_regex = r"[0-9]+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[ExchangeRate]:
        return ExchangeRate.objects.order_by("currency", "-day", "-id")

    def create(self, request):
        serializer = RateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rows, created, _ = services.rates_save(
            lines=[services.RateLine(**serializer.validated_data)], actor=request.user
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(RateSerializer(rows[0]).data, code)

    def partial_update(self, request, pk=None):
        rate = self.get_object()
        serializer = RateUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        updated = services.rate_update(
            rate=rate, value=serializer.validated_data["rate"], actor=request.user
        )
        return Response(RateSerializer(updated).data)

    def perform_destroy(self, instance: ExchangeRate) -> None:
        services.rate_delete(rate=instance, actor=self.request.user)

    @extend_schema(
        summary="Import rates from CSV",
        description=(
            "Multipart `file`: a header with currency, day (or date) and rate, then a line "
            "per rate. Every line is checked first: any bad line is a 400 listing each one "
            "as `Line N: ...`, and nothing is written. A currency and day already in the "
            "table get the file's value."
        ),
        request={"multipart/form-data": RateImportSerializer},
        responses={200: RateImportResultSerializer, **ERRORS},
    )
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def import_csv(self, request):
        serializer = RateImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        try:
            result = rates_import_csv(raw=upload.read(), actor=request.user)
        except RateFileInvalid as exc:
            return Response({"file": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
        return Response(RateImportResultSerializer(result).data)


class CurrencyListView(APIView):
    """The ISO 4217 codes Funnel accepts, with their names."""

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        summary="List ISO 4217 currencies", responses={200: CurrencySerializer(many=True)}
    )
    def get(self, request):
        rows = [{"code": code, "name": name} for code, name in currency_names().items()]
        return Response(CurrencySerializer(rows, many=True).data)
