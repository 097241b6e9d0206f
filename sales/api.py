"""REST API v1 for sales: deals, activities, sequences, enrolments, quotas.

Thin on purpose: querysets come from `sales.selectors` (a record outside them is a 404),
writes from `sales.services`. Marketing and users without a role get 403 on every sales
endpoint; `SalesConflict` from a service is a 409 (mapped centrally in `funnel.api_errors`).
"""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from funnel import api_access as funnel_access
from funnel.api_access import error_responses
from funnel.stages import Cause
from sales import selectors, services
from sales.filters import ActivityFilter, DealFilter, EnrolmentFilter, QuotaFilter, SequenceFilter
from sales.models import Activity, Deal, Enrolment, Quota, Sequence
from sales.serializers import (
    ActivitySerializer,
    ActivityUpdateSerializer,
    ActivityWriteSerializer,
    DealCreateSerializer,
    DealLoseSerializer,
    DealReopenSerializer,
    DealSerializer,
    DealUpdateSerializer,
    DealWinSerializer,
    EnrolmentSerializer,
    EnrolResultSerializer,
    EnrolSerializer,
    ErrorSerializer,
    QuotaSerializer,
    QuotaUpdateSerializer,
    SequenceSerializer,
    SequenceUpdateSerializer,
    StopSerializer,
)

ERRORS = error_responses(
    ErrorSerializer,
    forbidden="Your role may not do this.",
    not_found="No such record visible to you.",
)
CONFLICT = {
    409: OpenApiResponse(
        ErrorSerializer, description="The record's state forbids it (e.g. the deal is closed)."
    )
}


class SalesRole(permissions.BasePermission):
    """Managers and sales reps only: marketing does not see the reps' work."""

    message = "Sales records are for sales reps and managers."

    def has_permission(self, request, view) -> bool:
        return request.user.is_authenticated and selectors.can_work_sales(request.user)


class ManagersWrite(funnel_access.ManagersWrite):
    message = "Only managers change quotas."


class SalesViewSet(viewsets.GenericViewSet):
    permission_classes = [permissions.IsAuthenticated, SalesRole]
    lookup_value_converter = "int"
    lookup_value_regex = r"[0-9]+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def answer(self, instance, *, serializer_class=None, code=status.HTTP_200_OK) -> Response:
        serializer_class = serializer_class or self.get_serializer_class()
        return Response(
            serializer_class(instance, context=self.get_serializer_context()).data, code
        )

    def valid(self, serializer_class, *, partial: bool = False) -> dict:
        serializer = serializer_class(
            data=self.request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


# --- Deals ----------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List deals", responses={200: DealSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(summary="Read a deal", responses={200: DealSerializer, **ERRORS}),
    create=extend_schema(
        summary="Open a deal",
        request=DealCreateSerializer,
        responses={201: DealSerializer, **ERRORS, **CONFLICT},
    ),
    partial_update=extend_schema(
        summary="Edit a deal (a closed deal: only its title)",
        request=DealUpdateSerializer,
        responses={200: DealSerializer, **ERRORS, **CONFLICT},
    ),
    destroy=extend_schema(
        summary="Delete an open or lost deal", responses={204: None, **ERRORS, **CONFLICT}
    ),
)
class DealViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, SalesViewSet
):
    serializer_class = DealSerializer
    filterset_class = DealFilter

    def get_queryset(self) -> QuerySet[Deal]:
        return selectors.deals_visible_to(self.request.user).select_related(
            "lead", "owner", "stage"
        )

    def create(self, request):
        data = self.valid(DealCreateSerializer)
        deal = services.deal_create(created_by=request.user, **data)
        return self.answer(deal, code=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        deal = self.get_object()
        data = self.valid(DealUpdateSerializer, partial=True)
        if "expected_close_on" in data and data["expected_close_on"] is None:
            data["clear_expected_close_on"] = True
        updated = services.deal_update(deal_id=deal.pk, actor=request.user, cause=Cause.API, **data)
        return self.answer(updated)

    def perform_destroy(self, instance: Deal) -> None:
        services.deal_delete(deal_id=instance.pk, actor=self.request.user)

    @extend_schema(
        summary="Win a deal",
        description=(
            "Closes the deal as won. A prospect's win moves the lead to customer (cause "
            "`api`) in the same transaction; a customer's win is repeat business. 409 if the "
            "deal is closed or its lead is neither prospect nor customer."
        ),
        request=DealWinSerializer,
        responses={200: DealSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def win(self, request, pk=None):
        deal = self.get_object()
        data = self.valid(DealWinSerializer)
        won = services.deal_win(deal_id=deal.pk, actor=request.user, cause=Cause.API, **data)
        return self.answer(won)

    @extend_schema(
        summary="Lose a deal",
        description="Closes the deal as lost, with a reason. The lead does not move.",
        request=DealLoseSerializer,
        responses={200: DealSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def lose(self, request, pk=None):
        deal = self.get_object()
        data = self.valid(DealLoseSerializer)
        lost = services.deal_lose(deal_id=deal.pk, actor=request.user, **data)
        return self.answer(lost)

    @extend_schema(
        summary="Reopen a won deal",
        description=(
            "Managers only (403 otherwise), with a reason: a win recorded by mistake is open "
            "again and leaves revenue and quotas; who and why is kept as a note on the deal. "
            "The lead does not move: a customer goes back to prospect only by its own "
            "transition (managers only, with a reason). 409 if the deal is not won."
        ),
        request=DealReopenSerializer,
        responses={200: DealSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        deal = self.get_object()
        data = self.valid(DealReopenSerializer)
        reopened = services.deal_reopen(deal_id=deal.pk, actor=request.user, **data)
        return self.answer(reopened)


# --- Activities -----------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List activities", responses={200: ActivitySerializer(many=True), **ERRORS}
    ),
    retrieve=extend_schema(
        summary="Read an activity", responses={200: ActivitySerializer, **ERRORS}
    ),
    create=extend_schema(
        summary="Log or plan an activity",
        request=ActivityWriteSerializer,
        responses={201: ActivitySerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary="Edit an activity (`done_at: null` reopens a task)",
        request=ActivityUpdateSerializer,
        responses={200: ActivitySerializer, **ERRORS},
    ),
    destroy=extend_schema(summary="Delete an activity", responses={204: None, **ERRORS}),
)
class ActivityViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, SalesViewSet
):
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter

    def get_queryset(self) -> QuerySet[Activity]:
        return selectors.activities_visible_to(self.request.user).select_related("owner")

    def create(self, request):
        data = self.valid(ActivityWriteSerializer)
        activity = services.activity_create(created_by=request.user, **data)
        return self.answer(activity, code=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        activity = self.get_object()
        data = self.valid(ActivityUpdateSerializer, partial=True)
        updated = services.activity_update(activity_id=activity.pk, actor=request.user, **data)
        return self.answer(updated)

    def perform_destroy(self, instance: Activity) -> None:
        services.activity_delete(activity_id=instance.pk, actor=self.request.user)

    @extend_schema(
        summary="Mark an activity done",
        description="Sets `done_at` to now; completing a done activity changes nothing.",
        request=None,
        responses={200: ActivitySerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        activity = self.get_object()
        done = services.activity_complete(activity_id=activity.pk, actor=request.user)
        return self.answer(done)


# --- Sequences and enrolments ---------------------------------------------------------


class SequenceEditors(permissions.BasePermission):
    message = "Only the sequence's author or a manager may change it."

    def has_object_permission(self, request, view, obj: Sequence) -> bool:
        if request.method in permissions.SAFE_METHODS or view.action == "enrol":
            return True
        return selectors.sequences_editable_by(request.user).filter(pk=obj.pk).exists()


@extend_schema_view(
    list=extend_schema(
        summary="List sequences", responses={200: SequenceSerializer(many=True), **ERRORS}
    ),
    retrieve=extend_schema(
        summary="Read a sequence", responses={200: SequenceSerializer, **ERRORS}
    ),
    create=extend_schema(
        summary="Create a sequence with its steps",
        request=SequenceSerializer,
        responses={201: SequenceSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary="Edit a sequence (steps only while nobody was enrolled)",
        request=SequenceUpdateSerializer,
        responses={200: SequenceSerializer, **ERRORS, **CONFLICT},
    ),
    destroy=extend_schema(
        summary="Delete a sequence nobody was enrolled in",
        responses={204: None, **ERRORS, **CONFLICT},
    ),
)
class SequenceViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, SalesViewSet
):
    serializer_class = SequenceSerializer
    filterset_class = SequenceFilter
    permission_classes = [*SalesViewSet.permission_classes, SequenceEditors]

    def get_queryset(self) -> QuerySet[Sequence]:
        return selectors.sequences_visible_to(self.request.user).prefetch_related("steps")

    def create(self, request):
        data = self.valid(SequenceSerializer)
        sequence = services.sequence_create(owner=request.user, **data)
        return self.answer(self.get_queryset().get(pk=sequence.pk), code=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        sequence = self.get_object()
        data = self.valid(SequenceUpdateSerializer, partial=True)
        services.sequence_update(sequence_id=sequence.pk, actor=request.user, **data)
        return self.answer(self.get_queryset().get(pk=sequence.pk))

    def perform_destroy(self, instance: Sequence) -> None:
        services.sequence_delete(sequence_id=instance.pk, actor=self.request.user)

    @extend_schema(
        summary="Enrol prospects",
        description=(
            "Enrols one or many of your prospects: all or none. 409 when one of them is not "
            "a prospect or the sequence is inactive; ids you may not change are a 400. Those "
            "already running this sequence are listed in `already_enrolled`."
        ),
        request=EnrolSerializer,
        responses={201: EnrolResultSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def enrol(self, request, pk=None):
        sequence = self.get_object()
        data = self.valid(EnrolSerializer)
        created, already = services.leads_enrol(
            sequence_id=sequence.pk, lead_ids=data["leads"], actor=request.user
        )
        enrolled = Enrolment.objects.filter(
            sequence=sequence, lead_id__in=[e.lead_id for e in created], status="active"
        )
        body = EnrolResultSerializer({"enrolled": enrolled, "already_enrolled": already}).data
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="List enrolments", responses={200: EnrolmentSerializer(many=True), **ERRORS}
    ),
    retrieve=extend_schema(
        summary="Read an enrolment", responses={200: EnrolmentSerializer, **ERRORS}
    ),
)
class EnrolmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SalesViewSet):
    serializer_class = EnrolmentSerializer
    filterset_class = EnrolmentFilter

    def get_queryset(self) -> QuerySet[Enrolment]:
        return selectors.enrolments_visible_to(self.request.user)

    @extend_schema(
        summary="Stop an enrolment",
        description="No further steps become tasks; open tasks stay. Idempotent.",
        request=StopSerializer,
        responses={200: EnrolmentSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def stop(self, request, pk=None):
        enrolment = self.get_object()
        data = self.valid(StopSerializer)
        stopped = services.enrolment_stop(
            enrolment_id=enrolment.pk, actor=request.user, reason=data.get("reason", "")
        )
        return self.answer(stopped)


# --- Quotas ---------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List quotas",
        description="Managers see all; a rep sees their own and the team's.",
        responses={200: QuotaSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(summary="Read a quota", responses={200: QuotaSerializer, **ERRORS}),
    create=extend_schema(
        summary="Set a quota (managers)",
        description=(
            "`starts_on` is the first day of a month or quarter; `ends_on` may be left out. "
            "An inverted or misaligned period is a 400; a second quota for the same rep "
            "and period a 409."
        ),
        request=QuotaSerializer,
        responses={201: QuotaSerializer, **ERRORS, **CONFLICT},
    ),
    partial_update=extend_schema(
        summary="Change a quota's target (managers)",
        request=QuotaUpdateSerializer,
        responses={200: QuotaSerializer, **ERRORS},
    ),
    destroy=extend_schema(summary="Delete a quota (managers)", responses={204: None, **ERRORS}),
)
class QuotaViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, SalesViewSet
):
    serializer_class = QuotaSerializer
    filterset_class = QuotaFilter
    permission_classes = [*SalesViewSet.permission_classes, ManagersWrite]

    def get_queryset(self) -> QuerySet[Quota]:
        return selectors.quotas_visible_to(self.request.user)

    def create(self, request):
        data = self.valid(QuotaSerializer)
        quota = services.quota_create(created_by=request.user, **data)
        return self.answer(quota, code=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        quota = self.get_object()
        data = self.valid(QuotaUpdateSerializer)
        return self.answer(
            services.quota_update(quota_id=quota.pk, target=data["target"], actor=request.user)
        )

    def perform_destroy(self, instance: Quota) -> None:
        services.quota_delete(quota_id=instance.pk, actor=self.request.user)
