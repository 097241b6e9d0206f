"""`POST /api/v1/leads/{id}/merge/`: merge another lead into this one (the survivor)."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from leads.api import BAD_REQUEST, FORBIDDEN, NOT_FOUND, UNAUTHENTICATED
from leads.merging.services import MERGE_FIELDS, MERGED, SURVIVOR, leads_merge
from leads.models import Lead, LeadMerge
from leads.selectors import leads_visible_to
from leads.serializers import LeadSerializer


class MergeRequestSerializer(serializers.Serializer):
    merged = serializers.IntegerField(
        help_text="The id of the lead merged away (deleted; its rows move to this lead)."
    )
    field_choices = serializers.DictField(
        child=serializers.ChoiceField(choices=[SURVIVOR, MERGED]),
        required=False,
        default=dict,
        help_text=f"Per field, whose value survives: {', '.join(MERGE_FIELDS)}. "
        'Fields left out keep this lead\'s value ("survivor").',
    )

    def validate_field_choices(self, value: dict) -> dict:
        unknown = set(value) - set(MERGE_FIELDS)
        if unknown:
            raise serializers.ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
        return value


class LeadMergeSerializer(serializers.ModelSerializer):
    survivor = LeadSerializer(read_only=True)

    class Meta:
        model = LeadMerge
        fields = [
            "id",
            "survivor",
            "merged_lead_id",
            "merged_email",
            "merged_values",
            "chosen",
            "moved",
            "actor",
            "at",
        ]
        # An answer only: the request is MergeRequestSerializer.
        read_only_fields = fields


class LeadMergeView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Merge a duplicate into this lead",
        description=(
            "The lead in the path survives; `merged` is deleted after its stage history, "
            "touches, activities, deals, enrolments and field history move here. Its "
            "address then resolves to this lead in upserts, captures and imports. Needs "
            "the right to change both leads. Merging a lead with itself is a 400; a lead "
            "you cannot see (or a deleted one) a 404."
        ),
        request=MergeRequestSerializer,
        responses={
            200: LeadMergeSerializer,
            400: BAD_REQUEST,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request, pk: int):
        visible = leads_visible_to(request.user)
        survivor = get_object_or_404(visible, pk=pk)
        body = MergeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            merged = visible.get(pk=body.validated_data["merged"])
        except Lead.DoesNotExist:
            raise NotFound("No lead to merge with that id, or it is not visible to you.") from None
        record = leads_merge(
            survivor=survivor,
            merged=merged,
            field_choices=body.validated_data["field_choices"],
            actor=request.user,
            now=timezone.now(),
        )
        record.survivor.refresh_from_db()
        return Response(LeadMergeSerializer(record, context={"request": request}).data)
