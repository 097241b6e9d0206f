"""`teams/`: the sales teams, read-only (managers change them on the Teams page or in the
admin). Sales staff read them; marketing gets 403."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers, viewsets

from sales.api import SalesRole
from sales.teams.models import Team
from sales.teams.selectors import teams_visible_to


class TeamMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="get_full_name")


class TeamSerializer(serializers.ModelSerializer):
    members = TeamMemberSerializer(many=True, read_only=True)

    class Meta:
        model = Team
        fields = ["id", "name", "manager", "members", "created_at"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="Sales teams, with their manager and reps"),
    retrieve=extend_schema(summary="One sales team"),
)
class TeamViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.IsAuthenticated, SalesRole]
    serializer_class = TeamSerializer
    queryset = Team.objects.none()  # the schema's model; requests use get_queryset

    def get_queryset(self):
        return teams_visible_to(self.request.user).order_by("name")
