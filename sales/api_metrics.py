"""`metrics/quotas/`: quota attainment per rep and for the team, in one period."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from funnel.api_query import query_values
from funnel.roles import is_manager
from sales import selectors
from sales.api import ERRORS, SalesRole
from sales.periods import period_containing, today
from sales.selectors import Progress
from sales.serializers import QuotaMetricsQuerySerializer, QuotaMetricsSerializer


def _figures(progress: Progress) -> dict:
    return {
        "target": progress.target,
        "won": progress.won,
        "attainment": progress.attainment,
        "gap": progress.gap,
        "elapsed": progress.elapsed,
        "expected_to_date": progress.expected_to_date,
        "pace": progress.pace,
        "on_pace": progress.on_pace,
    }


class QuotaMetricsView(APIView):
    permission_classes = [permissions.IsAuthenticated, SalesRole]

    @extend_schema(
        summary="Quota attainment",
        description=(
            "For the month or quarter containing `on` (default today): every active rep "
            "(a rep sees only their own row) with target, won amount (won deals with a "
            "close date in the period), attainment = won ÷ target, gap, and pace against "
            "the time elapsed; plus the team (every won deal; target from the team quota, "
            "else the sum of the reps' quotas). Null where there is no target."
        ),
        parameters=[QuotaMetricsQuerySerializer],
        responses={200: QuotaMetricsSerializer, 400: ERRORS[400], 401: ERRORS[401]},
    )
    def get(self, request):
        query = QuotaMetricsQuerySerializer(data=query_values(request))
        query.is_valid(raise_exception=True)
        now = today()
        period = period_containing(
            query.validated_data["period"], query.validated_data.get("on") or now
        )
        board = selectors.quota_board(period=period, today=now)
        rows = board.rows
        if not is_manager(request.user):
            rows = [row for row in rows if row.rep.pk == request.user.pk]
        team_source = (
            "team_quota"
            if board.team_quota
            else ("sum_of_rep_quotas" if board.reps_target is not None else "none")
        )
        body = {
            "period": {
                "kind": period.kind,
                "starts_on": period.starts_on,
                "ends_on": period.ends_on,
                "label": period.label(),
            },
            "currency": settings.FUNNEL_CURRENCY,
            "reps": [
                {
                    "rep": row.rep.pk,
                    "username": row.rep.get_username(),
                    "quota": row.quota.pk if row.quota else None,
                    **_figures(row.progress),
                }
                for row in rows
            ],
            "team": {
                "quota": board.team_quota.pk if board.team_quota else None,
                "target_source": team_source,
                **_figures(board.team),
            },
        }
        return Response(QuotaMetricsSerializer(body).data)
