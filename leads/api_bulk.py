"""`POST /api/v1/leads/bulk/`: upsert up to 1,000 leads by email, with a result per item.

Validation here, the write in `leads.bulk.leads_upsert_bulk` (set-based).
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from leads.bulk import MAX_ITEMS, MERGE_MODES, STATUS_CHOICES, Status, leads_upsert_bulk
from leads.history import request_id_of
from leads.models import Lead
from leads.selectors import leads_creatable_by
from leads.serializers import PROTECTED_FIELDS, DetailErrorSerializer
from leads.services import EDITABLE_FIELDS

# Primary keys are 64-bit; a larger number is a typo, answered per item, not a query.
MAX_ID = 2**63 - 1


class BulkLeadItemSerializer(serializers.ModelSerializer):
    """One lead to create, or to update by email with the fields it carries."""

    # The service normalises the address; uniqueness is what the upsert is about.
    email = serializers.CharField(
        max_length=254, help_text="Matched case-insensitively against existing leads."
    )
    source_campaign = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        allow_null=True,
        required=False,
        help_text="Id of the campaign of first touch.",
    )

    class Meta:
        model = Lead
        fields = sorted(EDITABLE_FIELDS)


class BulkLeadsRequestSerializer(serializers.Serializer):
    leads = BulkLeadItemSerializer(
        many=True,
        min_length=1,
        max_length=MAX_ITEMS,
        help_text=f"1 to {MAX_ITEMS} leads. `stage`, `owner` and `score` are not accepted.",
    )
    merge = serializers.ChoiceField(
        choices=MERGE_MODES,
        required=False,
        default="overwrite",
        help_text=(
            "How values meet a lead that exists: `overwrite` (default) writes every field "
            "given, `fill_empty` only the lead's empty fields."
        ),
    )


class _Envelope(serializers.Serializer):
    # What is parsed: items stay raw so that one bad item is reported on its own.
    leads = serializers.ListField(
        child=serializers.JSONField(), allow_empty=False, max_length=MAX_ITEMS
    )
    merge = serializers.ChoiceField(choices=MERGE_MODES, required=False, default="overwrite")


class BulkItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the item in the request.")
    status = serializers.ChoiceField(choices=STATUS_CHOICES)
    id = serializers.IntegerField(allow_null=True, help_text="The lead; null for an error.")
    email = serializers.CharField(
        allow_null=True, help_text="The normalised address; null if it was invalid."
    )
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Field name to messages; empty unless status is `error`.",
    )


class BulkLeadsResponseSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField(help_text="Items whose values the lead already had.")
    refused = serializers.IntegerField(help_text="Items for leads you may not change.")
    errors = serializers.IntegerField()
    results = BulkItemResultSerializer(many=True)


class LeadBulkUpsertView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="leads_bulk_upsert",
        summary="Create or update up to 1,000 leads by email",
        description=(
            "Each item creates a lead, or updates the lead with its email (any letter case) "
            "with the fields it carries. Items are independent: an invalid one is reported "
            "with its errors and the others are saved. An email repeated in one request is "
            "applied in order (later values win). An item whose values the lead already has "
            "is `unchanged` (nothing written); one for a lead you may not change is "
            "`refused`, with the reason. `stage`, `owner` and `score` cannot be set here. "
            "Send an `Idempotency-Key` to retry safely."
        ),
        request=BulkLeadsRequestSerializer,
        responses={
            200: BulkLeadsResponseSerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT, description="Not a list of 1 to 1,000 items under `leads`."
            ),
            401: OpenApiResponse(DetailErrorSerializer, description="No or invalid credentials."),
            403: OpenApiResponse(DetailErrorSerializer, description="Your role may not add leads."),
        },
        examples=[
            OpenApiExample(
                "Two leads",
                request_only=True,
                value={
                    "leads": [
                        {"email": "ada@example.com", "first_name": "Ada", "company": "Acme"},
                        {"email": "grace@example.com", "marketing_consent": True},
                    ]
                },
            ),
            OpenApiExample(
                "Results",
                response_only=True,
                value={
                    "created": 1,
                    "updated": 0,
                    "unchanged": 0,
                    "refused": 0,
                    "errors": 1,
                    "results": [
                        {
                            "index": 0,
                            "status": "created",
                            "id": 42,
                            "email": "ada@example.com",
                            "errors": {},
                        },
                        {
                            "index": 1,
                            "status": "error",
                            "id": None,
                            "email": None,
                            "errors": {"email": ["Enter a valid email address."]},
                        },
                    ],
                },
            ),
        ],
    )
    def post(self, request):
        if not leads_creatable_by(request.user):
            self.permission_denied(request, message="Your account has no role that may add leads.")
        envelope = _Envelope(data=request.data)
        envelope.is_valid(raise_exception=True)
        results: dict[int, dict] = {}
        valid: list[tuple[int, dict]] = []
        for index, raw in enumerate(envelope.validated_data["leads"]):
            data, errors = _validated_item(raw)
            if errors:
                results[index] = _error(index, errors)
            else:
                valid.append((index, data))
        outcomes = leads_upsert_bulk(
            items=valid,
            actor=request.user,
            merge=envelope.validated_data["merge"],
            request_id=request_id_of(request),
        )
        for outcome in outcomes:
            results[outcome.index] = {
                "index": outcome.index,
                "status": outcome.status,
                "id": outcome.id,
                "email": outcome.email,
                "errors": outcome.errors,
            }
        ordered = [results[index] for index in sorted(results)]
        counts = dict.fromkeys(Status.ALL, 0)
        for result in ordered:
            counts[result["status"]] += 1
        return Response(
            {
                "created": counts[Status.CREATED],
                "updated": counts[Status.UPDATED],
                "unchanged": counts[Status.UNCHANGED],
                "refused": counts[Status.REFUSED],
                "errors": counts[Status.ERROR],
                "results": ordered,
            }
        )


def _validated_item(raw) -> tuple[dict, dict[str, list[str]]]:
    """(validated fields, {}) for a good item, (_, errors) for a bad one."""
    if not isinstance(raw, dict):
        return {}, {"non_field_errors": [f"Expected an object, got {type(raw).__name__}."]}
    item = BulkLeadItemSerializer(data=raw)
    valid = item.is_valid()
    errors = {
        name: [str(message) for message in messages] for name, messages in item.errors.items()
    }
    errors.update({name: [PROTECTED_FIELDS[name]] for name in PROTECTED_FIELDS if name in raw})
    return (dict(item.validated_data) if valid else {}), errors


def _error(index: int, errors: dict[str, list[str]]) -> dict:
    return {"index": index, "status": Status.ERROR, "id": None, "email": None, "errors": errors}
