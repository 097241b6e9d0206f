"""Funnel metrics over the REST API: validate the query, call the selector, serialise."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from funnel.api_query import query_values
from funnel.metrics.selectors import funnel_report
from funnel.metrics.serializers import FunnelQuerySerializer, FunnelReportSerializer
from leads.selectors import lead_owner_scope, leads_visible_to


class FunnelMetricsView(APIView):
    """Cohort, conversion, flow and time-in-stage figures over the leads you may see."""

    @extend_schema(
        operation_id="metrics_funnel",
        summary="Funnel metrics for a window",
        description=(
            "Exact figures per the metric definitions: for a window of dates (inclusive, in "
            "the site's time zone), the cohort of leads created in it, how many of them ever "
            "reached each stage, the three conversion rates (null for a zero denominator), "
            "the flow of moves into each stage in the window, and time in stage (median and "
            "90th percentile, in days). Optionally grouped by month, campaign, channel or "
            "owner, and filtered by campaign, channel or owner. Sales reps get figures over "
            "the leads they can see (their own and unassigned ones)."
        ),
        parameters=[FunnelQuerySerializer],
        responses={
            200: FunnelReportSerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="A bad parameter: an object mapping its name to messages.",
            ),
            401: OpenApiResponse(description="No or bad credentials."),
        },
        tags=["metrics"],
    )
    def get(self, request):
        query = FunnelQuerySerializer(data=query_values(request))
        query.is_valid(raise_exception=True)
        params = query.validated_data
        report = funnel_report(
            window=params["window"],
            group_by=params["group"],
            filters=params["filters"],
            leads=leads_visible_to(request.user),
            owner_scope=lead_owner_scope(request.user),
        )
        return Response(FunnelReportSerializer(report).data)
