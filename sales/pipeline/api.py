"""REST API of the pipeline: stages, loss reasons, a deal's move and history, the forecast
(`metrics/forecast/`) and the pipeline metrics (`metrics/pipeline/`). Thin: reads from
the selectors, the one write through `deal_move`; refusals map centrally (400 field
errors, 403, 404, 409 `deal_closed`)."""

from datetime import timedelta

from django.conf import settings
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from funnel.api_query import query_values
from funnel.metrics.window import Window
from funnel.roles import is_manager
from funnel.stages import Cause
from sales import selectors
from sales.api import CONFLICT, ERRORS, SalesRole
from sales.periods import period_containing, today
from sales.pipeline import serializers as s
from sales.pipeline.forecast import forecast, forecast_history
from sales.pipeline.metrics import pipeline_metrics
from sales.pipeline.models import DealStage, DealStageChange, LostReason
from sales.pipeline.services import deal_move
from sales.pipeline.stages import pipeline_default, stages_of
from sales.serializers import DealSerializer
from sales.teams.selectors import team_member_ids

ROLES = [permissions.IsAuthenticated, SalesRole]


@extend_schema(summary="Deal stages of the default pipeline, in board order")
class DealStageList(generics.ListAPIView):
    permission_classes = ROLES
    serializer_class = s.DealStageSerializer
    pagination_class = None
    # Tells the schema generator the model without touching the database.
    queryset = DealStage.objects.none()

    def get_queryset(self):
        return DealStage.objects.filter(pipeline=pipeline_default()).order_by("position")


@extend_schema(summary="Loss reasons a lost deal may give")
class LostReasonList(generics.ListAPIView):
    permission_classes = ROLES
    serializer_class = s.LostReasonSerializer
    pagination_class = None
    queryset = LostReason.objects.filter(is_active=True).order_by("position", "name")


class DealMoveView(APIView):
    permission_classes = ROLES

    @extend_schema(
        summary="Move a deal to another stage",
        description=(
            "One move through the one writer: a history row with the amount and expected "
            "close date, `deal.stage_changed` (and `deal.won`/`deal.lost`) webhooks; a won "
            "deal makes a prospect a customer. Same stage: nothing happens. 400: unknown "
            "stage, missing loss reason, negative amount; 409: a move out of a won or lost "
            "deal (managers may `reopen` with a reason; others 403). Nothing is written "
            "when refused."
        ),
        request=s.DealMoveSerializer,
        responses={200: DealSerializer, **ERRORS, **CONFLICT},
    )
    def post(self, request, pk: int):
        deal = get_object_or_404(selectors.deals_visible_to(request.user), pk=pk)
        body = s.DealMoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        moved = deal_move(
            deal_id=deal.pk,
            to_stage=data["to_stage"],
            actor=request.user,
            cause=Cause.API,
            reason=data.get("reason", ""),
            lost_reason=data.get("lost_reason") or None,
            amount=data.get("amount"),
            closed_on=data.get("closed_on"),
            reopen=data["reopen"],
        )
        return Response(DealSerializer(moved, context={"request": request}).data)


@extend_schema(summary="A deal's stage history, oldest first")
class DealHistoryList(generics.ListAPIView):
    permission_classes = ROLES
    serializer_class = s.DealStageChangeSerializer
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI generator
            return DealStageChange.objects.none()
        deal = get_object_or_404(
            selectors.deals_visible_to(self.request.user), pk=self.kwargs["pk"]
        )
        return (
            DealStageChange.objects.filter(deal=deal)
            .select_related("from_stage", "to_stage", "lost_reason")
            .order_by("at", "id")
        )


def _figures(row) -> dict:
    return {
        "owner": row.owner_id,
        "team": row.team_id,
        "label": row.label,
        "closed_won": row.closed_won,
        "commit": row.commit,
        "best_case": row.best_case,
        "weighted": row.weighted,
        "pipeline": row.pipeline,
        "target": row.target,
        "attainment": row.attainment,
    }


class ForecastView(APIView):
    permission_classes = ROLES

    @extend_schema(
        summary="Forecast against quota",
        description=(
            "For the month or quarter containing `on` (default: this quarter): per rep "
            "(a rep sees only their own row) and for the team, closed won, commit, best "
            "case, weighted pipeline (amount x stage probability, open deals by expected "
            "close date) and pipeline, beside the quota target and attainment; and the "
            "weekly snapshots of the period (the team's, or `owner`'s) with their accuracy "
            "against what closed. Definitions: docs/architecture.md."
        ),
        parameters=[s.ForecastQuerySerializer],
        responses={200: s.ForecastSerializer, 400: ERRORS[400], 401: ERRORS[401]},
    )
    def get(self, request):
        query = s.ForecastQuerySerializer(data=query_values(request))
        query.is_valid(raise_exception=True)
        data = query.validated_data
        period = period_containing(data["period"], data.get("on") or today())
        # A rep sees their own row (and their team's), a manager everyone's.
        manager = is_manager(request.user)
        owner_ids = None if manager else [request.user.pk]
        owner = data.get("owner") if manager else None
        team = data.get("team") if manager else None
        current = forecast(period=period, owner_ids=owner_ids, team_id=team)
        history = forecast_history(period=period, owner_id=owner, team_id=team, current=current)
        body = {
            "period": {
                "kind": period.kind,
                "starts_on": period.starts_on,
                "ends_on": period.ends_on,
                "label": period.label(),
            },
            "currency": settings.FUNNEL_CURRENCY,
            "reps": [_figures(row) for row in current.rows],
            "teams": [_figures(row) for row in current.teams],
            "team": _figures(current.team),
            "history": [
                {
                    "taken_on": line.snapshot.taken_on,
                    "closed_won": line.snapshot.closed_won,
                    "commit": line.snapshot.commit,
                    "best_case": line.snapshot.best_case,
                    "weighted": line.snapshot.weighted,
                    "actual_closed_won": line.actual,
                    "commit_accuracy": line.commit_accuracy,
                    "expected_accuracy": line.expected_accuracy,
                }
                for line in history
            ],
        }
        return Response(s.ForecastSerializer(body).data)


class PipelineMetricsView(APIView):
    permission_classes = ROLES

    @extend_schema(
        summary="Deal pipeline metrics",
        description=(
            "Win rate by stage, velocity (median and 90th percentile days per stage) and "
            "slippage (close dates pushed out) for a window of dates (default: the last 90 "
            "days), for one `owner` or `team`; a rep gets their own deals. Definitions: "
            "docs/architecture.md."
        ),
        parameters=[s.PipelineMetricsQuerySerializer],
        responses={200: s.PipelineMetricsSerializer, 400: ERRORS[400], 401: ERRORS[401]},
    )
    def get(self, request):
        query = s.PipelineMetricsQuerySerializer(data=query_values(request))
        query.is_valid(raise_exception=True)
        data = query.validated_data
        until = data.get("until") or today()
        window = Window(data.get("since") or until - timedelta(days=89), until)
        owner_ids = [data["owner"]] if data.get("owner") else None
        if data.get("team"):
            members = team_member_ids(data["team"])
            owner_ids = [o for o in members if owner_ids is None or o in owner_ids]
        if not is_manager(request.user):
            owner_ids = [request.user.pk]
        figures = pipeline_metrics(
            stages=stages_of(pipeline_default()), window=window, owner_ids=owner_ids
        )
        body = {
            "since": window.since,
            "until": window.until,
            "win_rates": [
                {
                    "stage": r.stage.pk,
                    "name": r.stage.name,
                    "reached": r.reached,
                    "won": r.won,
                    "rate": r.rate,
                }
                for r in figures.win_rates
            ],
            "velocity": [
                {
                    "stage": v.stage.pk,
                    "name": v.stage.name,
                    "moves_out": v.moves_out,
                    "median_days": v.median_days,
                    "p90_days": v.p90_days,
                }
                for v in figures.velocity
            ],
            "slippage": {
                "compared": figures.slippage.compared,
                "pushed": figures.slippage.pushed,
                "deals_pushed": figures.slippage.deals_pushed,
                "days_pushed": figures.slippage.days_pushed,
                "rate": figures.slippage.rate,
                "mean_days": figures.slippage.mean_days,
            },
        }
        return Response(s.PipelineMetricsSerializer(body).data)
