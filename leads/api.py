"""REST API v1 for leads, prospects and customers: validate, call a service, serialise.

Visibility and permission come from `leads.selectors` (a lead you cannot see is a 404, one
you can see but not change a 403); domain errors (illegal move, duplicate email) are
mapped to HTTP once, in `funnel.api_errors`.
"""

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from funnel.models import StageChange
from funnel.pagination import CursorPagination
from funnel.services import lead_transition
from funnel.stages import Cause
from leads import services
from leads.filters import LeadFilter
from leads.history import lead_changes, request_id_of
from leads.merge_policy import WriteOrigin
from leads.models import ChangeSource, Customer, Lead, Prospect
from leads.selectors import (
    lead_is_deletable_by,
    lead_is_editable_by,
    leads_creatable_by,
    leads_visible_to,
)
from leads.serializers import (
    DetailErrorSerializer,
    LeadChangeSerializer,
    LeadSerializer,
    StageChangeSerializer,
    TransitionConflictSerializer,
    TransitionSerializer,
    VersionConflictSerializer,
)

BAD_REQUEST = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description=(
        "Invalid input: an object mapping each field (or `non_field_errors`/`detail`) to a "
        "list of messages."
    ),
    examples=[
        OpenApiExample(
            "Duplicate email",
            value={"email": ["A lead with this email address already exists."]},
        )
    ],
)
UNAUTHENTICATED = OpenApiResponse(
    DetailErrorSerializer,
    description="No credentials, or an invalid token (`WWW-Authenticate: Token`).",
)
FORBIDDEN = OpenApiResponse(
    DetailErrorSerializer, description="You can see this lead but your role may not do this to it."
)
NOT_FOUND = OpenApiResponse(
    DetailErrorSerializer, description="No such lead, or it is not visible to you."
)
LIST_ERRORS = {
    400: BAD_REQUEST,
    401: UNAUTHENTICATED,
    404: OpenApiResponse(DetailErrorSerializer, description="Invalid pagination cursor."),
}
READ_ERRORS = {401: UNAUTHENTICATED, 404: NOT_FOUND}
WRITE_ERRORS = {400: BAD_REQUEST, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND}


class LeadPermission(permissions.BasePermission):
    """Create: any role. Change or move: `lead_is_editable_by`. Delete: managers."""

    message = "You may not change this lead."

    def has_permission(self, request, view) -> bool:
        if view.action == "create":
            self.message = "Your account has no role that may add leads."
            return leads_creatable_by(request.user)
        return True

    def has_object_permission(self, request, view, obj: Lead) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        if request.method == "DELETE":
            self.message = "Only managers may delete leads."
            return lead_is_deletable_by(request.user, lead=obj)
        self.message = "You can see this lead but not change it: it is not yours."
        return lead_is_editable_by(request.user, lead=obj)


class HistoryPagination(CursorPagination):
    ordering = ("at", "id")


class ChangesPagination(CursorPagination):
    ordering = ("-at", "-id")


VERSION_CONFLICT = OpenApiResponse(
    VersionConflictSerializer,
    description="`If-Match` names a version the lead no longer has: nothing was written.",
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The `ETag` of the lead as you read it: the write is refused (412) if the "
    "lead changed since.",
)


class VisibleLeadsMixin:
    # Lists and looks up only what the user may see, with what the serializer reads
    # joined, so a page costs the same number of queries whatever its size.

    serializer_class = LeadSerializer
    filterset_class = LeadFilter
    # Numeric ids only, so `leads/bulk/` and typos never reach the detail route (the
    # converter for path()-style routers, the regex for re_path()-style ones).
    lookup_value_converter = "int"
    lookup_value_regex = r"[0-9]+"
    base_manager = Lead.objects

    def get_queryset(self) -> QuerySet[Lead]:
        leads = leads_visible_to(self.request.user, queryset=self.base_manager.all())
        return leads.select_related("owner")


@extend_schema_view(
    list=extend_schema(
        summary="List leads",
        description="Leads visible to you, newest first, cursor-paginated and filterable.",
        responses={200: LeadSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Read a lead",
        description=(
            "One lead visible to you; another rep's lead is a 404. The `ETag` header is "
            "the lead's version: send it back as `If-Match` when you update it."
        ),
        responses={200: LeadSerializer, **READ_ERRORS},
    ),
    create=extend_schema(
        summary="Create a lead",
        description=(
            "Creates a lead in stage `lead`. A sales rep owns the leads they create; leads "
            "created by anyone else start unassigned. An email that exists in any letter "
            "case is a 400 on `email`."
        ),
        request=LeadSerializer,
        responses={201: LeadSerializer, 400: BAD_REQUEST, 401: UNAUTHENTICATED, 403: FORBIDDEN},
    ),
    update=extend_schema(
        summary="Update a lead (email required)",
        description=(
            "Sets every editable field sent; `email` is required and optional fields left "
            "out keep their values. Read-only fields may be sent back unchanged. With "
            "`If-Match`, refused (412) if the lead changed since that version."
        ),
        request=LeadSerializer,
        parameters=[IF_MATCH],
        responses={200: LeadSerializer, **WRITE_ERRORS, 412: VERSION_CONFLICT},
    ),
    partial_update=extend_schema(
        summary="Change some of a lead's fields",
        description=(
            "Sending values the lead already has changes nothing (no write, no history). "
            "With `If-Match`, refused (412) if the lead changed since that version."
        ),
        request=LeadSerializer,
        parameters=[IF_MATCH],
        responses={200: LeadSerializer, **WRITE_ERRORS, 412: VERSION_CONFLICT},
    ),
    destroy=extend_schema(
        summary="Delete a lead and its history (managers only)",
        responses={204: None, **WRITE_ERRORS},
    ),
)
class LeadViewSet(VisibleLeadsMixin, viewsets.ModelViewSet):
    queryset = Lead.objects.all()
    permission_classes = [permissions.IsAuthenticated, LeadPermission]

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        request = self.request
        if request is not None and request.method in ("PUT", "PATCH"):
            context["origin"] = WriteOrigin(
                source=ChangeSource.API, actor=request.user, request_id=request_id_of(request)
            )
            context["if_match"] = request.headers.get("If-Match")
        return context

    def retrieve(self, request, *args, **kwargs):
        lead = self.get_object()
        response = Response(self.get_serializer(lead).data)
        response["ETag"] = services.lead_version(lead)
        return response

    def update(self, request, *args, **kwargs):
        try:
            response = super().update(request, *args, **kwargs)
        except services.LeadVersionConflict as conflict:
            current = LeadSerializer(conflict.lead, context=self.get_serializer_context())
            response = Response(
                {"detail": str(conflict), "current": current.data},
                status=status.HTTP_412_PRECONDITION_FAILED,
            )
            response["ETag"] = services.lead_version(conflict.lead)
            return response
        response["ETag"] = services.lead_version(self._saved)
        return response

    def perform_update(self, serializer) -> None:
        self._saved = serializer.save()

    def perform_destroy(self, instance: Lead) -> None:
        services.lead_delete(lead=instance)

    @extend_schema(
        summary="A lead's field history",
        description=(
            "Every change to the lead's fields, newest first: field, old and new value, "
            "when, who, from where (`web`, `api`, `bulk`, `capture`, `import`, `merge`) and "
            "the request or import it came from. Creating a lead is not a change."
        ),
        responses={200: LeadChangeSerializer(many=True), **READ_ERRORS},
    )
    @action(
        detail=True,
        methods=["get"],
        serializer_class=LeadChangeSerializer,
        pagination_class=ChangesPagination,
        filter_backends=[],
    )
    def changes(self, request, pk=None):
        lead = self.get_object()
        page = self.paginate_queryset(lead_changes(lead=lead))
        return self.get_paginated_response(LeadChangeSerializer(page, many=True).data)

    @extend_schema(
        summary="Move a lead to another stage",
        description=(
            "The only way to change `stage`. A move to the current stage changes nothing; a "
            "move the funnel does not allow is a 409 naming both stages."
        ),
        request=TransitionSerializer,
        responses={
            200: LeadSerializer,
            **WRITE_ERRORS,
            409: OpenApiResponse(
                TransitionConflictSerializer, description="The funnel does not allow this move."
            ),
        },
    )
    @action(
        detail=True, methods=["post"], serializer_class=TransitionSerializer, filter_backends=[]
    )
    def transition(self, request, pk=None):
        lead = self.get_object()
        move = TransitionSerializer(data=request.data)
        move.is_valid(raise_exception=True)
        try:
            moved = lead_transition(
                lead_id=lead.pk,
                to_stage=move.validated_data["to"],
                cause=Cause.API,
                actor=request.user,
                reason=move.validated_data["reason"],
            )
        except Lead.DoesNotExist:
            # Deleted between the look-up and the row lock.
            raise NotFound() from None
        return Response(LeadSerializer(moved, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="A lead's stage history",
        description="Every move of the lead, oldest first, cursor-paginated.",
        responses={200: StageChangeSerializer(many=True), **READ_ERRORS},
    )
    @action(
        detail=True,
        methods=["get"],
        serializer_class=StageChangeSerializer,
        pagination_class=HistoryPagination,
        filter_backends=[],
    )
    def history(self, request, pk=None):
        lead = self.get_object()
        changes = StageChange.objects.filter(lead=lead).select_related("actor")
        page = self.paginate_queryset(changes)
        return self.get_paginated_response(StageChangeSerializer(page, many=True).data)


class StageLeadViewSet(VisibleLeadsMixin, viewsets.ReadOnlyModelViewSet):
    # Read-only lists of the leads in one stage, with the same shape and filters.
    pass


@extend_schema_view(
    list=extend_schema(
        summary="List prospects",
        description="Leads in stage `prospect` visible to you, newest first.",
        responses={200: LeadSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Read a prospect", responses={200: LeadSerializer, **READ_ERRORS}
    ),
)
class ProspectViewSet(StageLeadViewSet):
    queryset = Prospect.objects.all()
    base_manager = Prospect.objects


@extend_schema_view(
    list=extend_schema(
        summary="List customers",
        description="Leads in stage `customer` visible to you, newest first.",
        responses={200: LeadSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Read a customer", responses={200: LeadSerializer, **READ_ERRORS}
    ),
)
class CustomerViewSet(StageLeadViewSet):
    queryset = Customer.objects.all()
    base_manager = Customer.objects
