from django.urls import path
from rest_framework.routers import SimpleRouter

from sales import api, api_leads, api_metrics
from sales.pipeline import api as pipeline_api
from sales.teams import api as teams_api

router = SimpleRouter()
router.register("deals", api.DealViewSet, basename="deal")
router.register("activities", api.ActivityViewSet, basename="activity")
router.register("sequences", api.SequenceViewSet, basename="sequence")
router.register("enrolments", api.EnrolmentViewSet, basename="enrolment")
router.register("quotas", api.QuotaViewSet, basename="quota")
router.register("teams", teams_api.TeamViewSet, basename="team")

urlpatterns = [
    path("leads/<int:pk>/timeline/", api_leads.LeadTimelineView.as_view(), name="lead-timeline"),
    path("leads/<int:pk>/owner/", api_leads.LeadReassignView.as_view(), name="lead-reassign"),
    path("leads/<int:pk>/claim/", api_leads.LeadClaimView.as_view(), name="lead-claim"),
    path("metrics/quotas/", api_metrics.QuotaMetricsView.as_view(), name="metrics-quotas"),
    path("metrics/forecast/", pipeline_api.ForecastView.as_view(), name="metrics-forecast"),
    path("metrics/pipeline/", pipeline_api.PipelineMetricsView.as_view(), name="metrics-pipeline"),
    path("deal-stages/", pipeline_api.DealStageList.as_view(), name="deal-stages"),
    path("lost-reasons/", pipeline_api.LostReasonList.as_view(), name="lost-reasons"),
    path("deals/<int:pk>/move/", pipeline_api.DealMoveView.as_view(), name="deal-move"),
    path("deals/<int:pk>/history/", pipeline_api.DealHistoryList.as_view(), name="deal-history"),
    *router.urls,
]
