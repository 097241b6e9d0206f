"""Sales endpoints on one lead: its timeline, a manager's reassignment, a rep's claim.

Routed as paths in `sales/api_urls.py` (`leads/{id}/timeline/`, `.../owner/`,
`.../claim/`); the lead is looked up through `leads.selectors.leads_visible_to`, so a lead
the user cannot see is a 404 before anything else.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from funnel.pagination import page_size_from
from funnel.roles import is_manager, is_sales_rep
from leads.models import Lead
from leads.selectors import leads_visible_to
from leads.serializers import LeadSerializer
from sales import selectors, services
from sales.api import CONFLICT, ERRORS
from sales.selectors.timeline import MAX_PAGE_SIZE, describe
from sales.serializers import ReassignSerializer, TimelinePageSerializer

DEFAULT_PAGE_SIZE = 25


class LeadAPIView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    def visible_lead(self, pk: int) -> Lead:
        return get_object_or_404(leads_visible_to(self.request.user), pk=pk)


class LeadTimelineView(LeadAPIView):
    @extend_schema(
        summary="A lead's timeline",
        description=(
            "Stage changes, marketing touches, activities, deals (opened, won, lost) and "
            "owner changes, newest first, cursor-paginated. Marketing sees stage changes and "
            "touches only; sales work is the reps' and managers'. Follow `next` for older "
            "entries."
        ),
        parameters=[
            OpenApiParameter("cursor", OpenApiTypes.STR, description="From `next`."),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1},
                description=f"Default {DEFAULT_PAGE_SIZE}; more than {MAX_PAGE_SIZE} gives "
                f"{MAX_PAGE_SIZE}.",
            ),
        ],
        responses={200: TimelinePageSerializer, 401: ERRORS[401], 404: ERRORS[404]},
    )
    def get(self, request, pk: int):
        lead = self.visible_lead(pk)
        page = selectors.lead_timeline(
            user=request.user,
            lead=lead,
            cursor=request.query_params.get("cursor"),
            page_size=page_size_from(
                request.query_params, default=DEFAULT_PAGE_SIZE, maximum=MAX_PAGE_SIZE
            ),
        )
        next_url = None
        if page.next_cursor:
            query = request.query_params.copy()
            query["cursor"] = page.next_cursor
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        results = [
            {"kind": entry.kind, "at": entry.at, "id": entry.item.pk, **describe(entry)}
            for entry in page.entries
        ]
        return Response(TimelinePageSerializer({"next": next_url, "results": results}).data)


class LeadReassignView(LeadAPIView):
    @extend_schema(
        summary="Reassign a lead (managers)",
        description=(
            "Gives the lead to another active sales rep (`owner: null`: back to the pool). "
            "Its open deals and open tasks follow; the change is recorded (who, from, to, "
            "when) and shows on the timeline."
        ),
        request=ReassignSerializer,
        responses={200: LeadSerializer, **ERRORS},
    )
    def post(self, request, pk: int):
        lead = self.visible_lead(pk)
        if not is_manager(request.user):
            self.permission_denied(request, message="Only managers reassign leads.")
        serializer = ReassignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lead = services.lead_reassign(
            lead_id=lead.pk,
            to_owner=serializer.validated_data["owner"],
            actor=request.user,
            reason=serializer.validated_data.get("reason", ""),
        )
        return Response(LeadSerializer(Lead.objects.select_related("owner").get(pk=lead.pk)).data)


class LeadClaimView(LeadAPIView):
    @extend_schema(
        summary="Claim an unassigned lead or prospect (sales reps)",
        description=(
            "The lead becomes yours. 409 when someone owns it already, it is out of play "
            "(customer, lost, disqualified) or you hold `FUNNEL_MAX_OPEN_CLAIMS` open claims "
            "already; claiming your own does nothing."
        ),
        request=None,
        responses={200: LeadSerializer, **ERRORS, **CONFLICT},
    )
    def post(self, request, pk: int):
        lead = self.visible_lead(pk)
        if not is_sales_rep(request.user):
            self.permission_denied(request, message="Only sales reps claim leads.")
        lead = services.lead_claim(lead_id=lead.pk, rep=request.user)
        return Response(LeadSerializer(Lead.objects.select_related("owner").get(pk=lead.pk)).data)
